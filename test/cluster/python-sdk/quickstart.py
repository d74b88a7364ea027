"""Upstream's quick-start flow with upstream's Python SDK, against our controller, router and runtime.

Prints one JSON line per step on stdout. After the first steps it prints {"step": "waiting"} and reads one line from
stdin, so the test can replace the sandbox's pod before the same handle is used again.
Environment: NAMESPACE, WARM_POOL, KUBECONFIG; ROUTER_URL and ROUTER_TOKEN for direct mode with a token, else the SDK's
default mode: a tunnel through `kubectl port-forward svc/sandbox-router-svc` (kubectl from PATH, KUBECONFIG's user).
"""
import json
import os
import sys

from k8s_agent_sandbox import SandboxClient
from k8s_agent_sandbox.models import SandboxDirectConnectionConfig


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


if "ROUTER_URL" in os.environ:
    client = SandboxClient(connection_config=SandboxDirectConnectionConfig(
        api_url=os.environ["ROUTER_URL"],
        extra_headers={"Authorization": "Bearer " + os.environ["ROUTER_TOKEN"]},
    ))
else:
    client = SandboxClient()
sandbox = client.create_sandbox(warmpool=os.environ["WARM_POOL"], namespace=os.environ["NAMESPACE"], sandbox_ready_timeout=120)
emit("claimed", claim=sandbox.claim_name, sandbox=sandbox.sandbox_id)

result = sandbox.commands.run("echo 'Hello from Agent Sandbox!'")
emit("run", stdout=result.stdout, exit_code=result.exit_code, timed_out=result.timed_out)
result = sandbox.commands.run("sleep 30", command_timeout=1)
emit("run-timeout", exit_code=result.exit_code, timed_out=result.timed_out, stderr=result.stderr)

sandbox.files.write("hello.py", 'print("Hello, World! Greetings from inside the sandbox.")\n')
emit("read", content=sandbox.files.read("hello.py").decode())
emit("list", names=sorted(entry.name for entry in sandbox.files.list(".")))
emit("exists", present=sandbox.files.exists("hello.py"), absent=sandbox.files.exists("nope.txt"))
result = sandbox.commands.run("python3 hello.py")
emit("run-file", stdout=result.stdout)

emit("waiting")
sys.stdin.readline()
result = sandbox.commands.run("echo still here")
emit("after-replacement", stdout=result.stdout)

sandbox.terminate()
emit("terminated")
