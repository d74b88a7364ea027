"""Upstream's Python SDK in its sandboxd mode (REST /v1/files + gRPC ProcessService, straight to the pod's address)
against our controller and runtime.

Prints one JSON line per step on stdout. Environment: NAMESPACE, WARM_POOL, KUBECONFIG.
"""
import json
import os

from k8s_agent_sandbox import SandboxClient
from k8s_agent_sandbox.exceptions import SandboxRequestError
from k8s_agent_sandbox.models import SandboxdInClusterConnectionConfig


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def status_of(action):
    """The HTTP status of a failing file call."""
    try:
        action()
    except SandboxRequestError as err:
        return err.status_code
    return None


client = SandboxClient(connection_config=SandboxdInClusterConnectionConfig(mode="in-cluster-pod-ip"))
sandbox = client.create_sandbox(warmpool=os.environ["WARM_POOL"], namespace=os.environ["NAMESPACE"], sandbox_ready_timeout=120)
emit("claimed", claim=sandbox.claim_name, sandbox=sandbox.sandbox_id)

result = sandbox.commands.run('echo "Hello from $WHO"; pwd; exit 3', env={"WHO": "sandboxd"}, cwd="")
emit("run", stdout=result.stdout, exit_code=result.exit_code, timed_out=result.timed_out)
result = sandbox.commands.run("sleep 30", command_timeout=1)
emit("run-timeout", exit_code=result.exit_code, timed_out=result.timed_out)

sandbox.files.write("src/hello.py", 'print("Hello from a file")\n')
sandbox.files.write("src/data.bin", bytes(range(256)))
emit("read", content=sandbox.files.read("src/hello.py").decode(), binary=list(sandbox.files.read("src/data.bin")) == list(range(256)))
emit("list", entries=sorted([e.name, e.type, e.size, e.mode] for e in sandbox.files.list("src")))
emit("exists", present=sandbox.files.exists("src/hello.py"), absent=sandbox.files.exists("nope.txt"))
result = sandbox.commands.run("python3 hello.py", cwd="src")
emit("run-file", stdout=result.stdout, exit_code=result.exit_code)

sandbox.files.delete("src/data.bin")
emit("deleted-file", exists=sandbox.files.exists("src/data.bin"))
emit("delete-non-empty", status=status_of(lambda: sandbox.files.delete("src")))
sandbox.files.delete("src", recursive=True)
emit("deleted-tree", exists=sandbox.files.exists("src"))

emit("errors",
     missing=status_of(lambda: sandbox.files.read("missing.txt")),
     escape=status_of(lambda: sandbox.files.read("../../etc/passwd", allow_unsafe_paths=True)))
try:
    sandbox.commands.run("pwd", cwd="../..")
    emit("cwd-escape", error=None)
except RuntimeError as err:
    emit("cwd-escape", error=str(err))

sandbox.terminate()
emit("terminated")
