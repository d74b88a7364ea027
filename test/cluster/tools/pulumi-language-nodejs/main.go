// pulumi-language-nodejs for the offline toolchain: the Node.js language host of sdk/v3 v3.68.0 (the newest
// the Go module proxy serves) behind a gRPC pass-through that adds the one call it lacks. The 3.248 CLI runs
// Node.js policy packs through the language host's RunPlugin, which the old host answers with "not
// supported"; this process forwards every other call unchanged (byte for byte, status codes included, so
// the CLI's fallbacks for calls the old host does not know still apply) and runs policy packs itself with
// @pulumi/pulumi's run-policy-pack, as newer hosts do.
//
// Usage (as the CLI starts any language host): pulumi-language-nodejs [flags] <engine-address>.
// The old host is ../libexec/pulumi-language-nodejs relative to this binary.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const runPluginMethod = "/pulumirpc.LanguageRuntime/RunPlugin"

// The CLI's own limit for plugin messages (rpcutil.GrpcChannelOptions).
const maxMessageBytes = 400 * 1024 * 1024

// rawCodec passes messages through undecoded.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	host := filepath.Join(filepath.Dir(self), "..", "libexec", "pulumi-language-nodejs")
	child := exec.Command(host, os.Args[1:]...)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", host, err)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = child.Process.Signal(s)
		}
	}()
	lines := bufio.NewReader(out)
	port, err := lines.ReadString('\n')
	if err != nil {
		return fmt.Errorf("%s printed no port: %w", host, err)
	}
	go func() { _, _ = io.Copy(os.Stdout, lines) }()

	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}),
			grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(forwardTo(conn)),
		grpc.MaxRecvMsgSize(maxMessageBytes), grpc.MaxSendMsgSize(maxMessageBytes))
	go func() {
		// The old host exits when the engine goes away; so do we.
		err := child.Wait()
		server.Stop()
		if err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}()
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	return server.Serve(listener)
}

// forwardTo relays every call to the old host, except RunPlugin.
func forwardTo(conn *grpc.ClientConn) grpc.StreamHandler {
	return func(_ any, in grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(in)
		if method == runPluginMethod {
			return runPlugin(in)
		}
		md, _ := metadata.FromIncomingContext(in.Context())
		ctx := metadata.NewOutgoingContext(in.Context(), md.Copy())
		out, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
		if err != nil {
			return err
		}
		go func() {
			for {
				var msg []byte
				if err := in.RecvMsg(&msg); err != nil {
					_ = out.CloseSend()
					return
				}
				if err := out.SendMsg(&msg); err != nil {
					return
				}
			}
		}()
		for {
			var msg []byte
			if err := out.RecvMsg(&msg); err != nil {
				in.SetTrailer(out.Trailer())
				if err == io.EOF {
					return nil
				}
				return err
			}
			if err := in.SendMsg(&msg); err != nil {
				return err
			}
		}
	}
}

// runPlugin starts a Node.js policy pack the way the CLI's legacy analyzer route does: node
// @pulumi/pulumi/cmd/run-policy-pack <engine-address> . from the pack's directory, streaming its output.
func runPlugin(stream grpc.ServerStream) error {
	var raw []byte
	if err := stream.RecvMsg(&raw); err != nil {
		return err
	}
	var req pulumirpc.RunPluginRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		return err
	}
	if req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented, "RunPlugin: only policy packs (kind analyzer) are supported, not %q", req.GetKind())
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	resolve := exec.Command("node", "-p", "require.resolve('@pulumi/pulumi/cmd/run-policy-pack')")
	resolve.Dir = dir
	entry, err := resolve.Output()
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "@pulumi/pulumi is not installed for the policy pack in %s: %v", dir, err)
	}
	cmd := exec.Command("node", append(append([]string{strings.TrimSpace(string(entry))}, req.GetArgs()...), ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	var sendLock sync.Mutex
	send := func(msg *pulumirpc.RunPluginResponse) {
		data, err := proto.Marshal(msg)
		if err != nil {
			return
		}
		sendLock.Lock()
		defer sendLock.Unlock()
		_ = stream.SendMsg(&data)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var copies sync.WaitGroup
	relay := func(from io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		defer copies.Done()
		buf := make([]byte, 32*1024)
		for {
			n, err := from.Read(buf)
			if n > 0 {
				send(wrap(append([]byte(nil), buf[:n]...)))
			}
			if err != nil {
				return
			}
		}
	}
	copies.Add(2)
	go relay(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go relay(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	go func() { <-stream.Context().Done(); _ = cmd.Process.Signal(os.Interrupt) }()
	copies.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else {
			return err
		}
	}
	send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
	return nil
}
