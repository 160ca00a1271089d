"""`make cluster` / `make cluster-stop`: a project-local three-node MariaDB Galera cluster on loopback.

Development and tests only: the nodes keep their data under var/cluster/node1..3, listen for SQL on
127.0.0.1:3311-3313 (TRAVELGO_CLUSTER_PORT moves the first), talk Galera on 4561-4563 (IST 4571-4573, rsync SST
4581-4583; TRAVELGO_CLUSTER_GALERA_PORT moves them) and accept root without a password on loopback, like `make db`'s
server. Starting is idempotent: with no node up the one safe to bootstrap starts a new cluster and the others join
it; with some up, the missing ones join (a node killed with SIGKILL comes back through IST, or rsync SST).
Stopping is idempotent too and stops node 1 last, so it is the one safe to bootstrap next time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql

from .config import VAR_DIR
from .dbserver import find_server, install_help

CLUSTER_DIR = Path(os.environ.get("TRAVELGO_CLUSTER_DIR", VAR_DIR / "cluster"))
SIZE = 3
PROVIDER_PATHS = (
    "/usr/lib/galera/libgalera_smm.so",
    "/usr/lib64/galera-4/libgalera_smm.so",
    "/usr/lib/libgalera_smm.so",
)
# Failure detection: Galera's defaults (suspect 5 s, inactive 15 s) tuned down for one machine, so a dead node is
# evicted in ~3-6 s; docs/deploy.md lists what to use across real machines.
EVS_OPTIONS = (
    "evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT3S;"
    "evs.inactive_timeout=PT6S;evs.install_timeout=PT6S;evs.join_retrans_period=PT0.5S"
)
READY_TIMEOUT = float(os.environ.get("TRAVELGO_CLUSTER_START_TIMEOUT", "180"))


def first_sql_port() -> int:
    return int(os.environ.get("TRAVELGO_CLUSTER_PORT", "3311"))


def first_galera_port() -> int:
    return int(os.environ.get("TRAVELGO_CLUSTER_GALERA_PORT", "4561"))


@dataclass(frozen=True)
class Node:
    index: int  # 1-based

    @property
    def name(self) -> str:
        return f"node{self.index}"

    @property
    def home(self) -> Path:
        return CLUSTER_DIR / self.name

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    @property
    def port(self) -> int:
        return first_sql_port() + self.index - 1

    @property
    def galera_port(self) -> int:
        return first_galera_port() + self.index - 1

    @property
    def pid_file(self) -> Path:
        return self.home / "mariadbd.pid"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    @property
    def config(self) -> Path:
        return self.home / "my.cnf"

    def url(self, database: str = "travelgo") -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"

    def pid(self) -> int | None:
        """The node's server process, if it runs (pid file and a live process)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        try:  # a stale pid file whose number now belongs to something else
            if (
                "mariadbd" not in Path(f"/proc/{pid}/comm").read_text()
                and "mysqld" not in Path(f"/proc/{pid}/comm").read_text()
            ):
                return None
        except OSError:
            pass
        return pid


NODES = [Node(i) for i in range(1, SIZE + 1)]


def provider() -> str | None:
    return next((path for path in PROVIDER_PATHS if os.path.exists(path)), None)


def status(node: Node) -> dict[str, str]:
    """The node's wsrep status variables ({} when it does not answer)."""
    try:
        conn = pymysql.connect(host="127.0.0.1", port=node.port, user="root", connect_timeout=2, read_timeout=5)
    except pymysql.err.MySQLError:
        return {}
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'wsrep_%%'")
            return {name: value for name, value in cur.fetchall()}
    except pymysql.err.MySQLError:
        return {}
    finally:
        conn.close()


def is_synced(node: Node) -> bool:
    state = status(node)
    return state.get("wsrep_ready") == "ON" and state.get("wsrep_local_state") == "4"


def _run_as() -> str | None:
    """rsync state transfer works when the nodes run as `mysql` (root's files confuse the donor's rsync daemon)."""
    if os.geteuid() != 0:
        return None
    return "mysql"


def _chown(path: Path, user: str | None) -> None:
    if user:
        shutil.chown(path, user, user)
        for child in path.rglob("*"):
            shutil.chown(child, user, user)


def write_config(node: Node, server: str) -> None:
    galera = provider()
    gcomm = ",".join(f"127.0.0.1:{n.galera_port}" for n in NODES)
    user = _run_as()
    ist_port, sst_port = node.galera_port + 10, node.galera_port + 20
    lines = [
        "[mysqld]",
        f"datadir={node.datadir}",
        f"socket={node.home / 'mysql.sock'}",
        f"port={node.port}",
        "bind-address=127.0.0.1",
        f"pid-file={node.pid_file}",
        f"log-error={node.log}",
        *([f"user={user}"] if user else []),
        "innodb_buffer_pool_size=128M",
        "innodb_log_file_size=64M",
        # Durability comes from the other nodes holding every write set; a lone machine's fsync is the bottleneck.
        "innodb_flush_log_at_trx_commit=2",
        "max_connections=500",
        "binlog_format=ROW",
        "default_storage_engine=InnoDB",
        "innodb_autoinc_lock_mode=2",
        "wsrep_on=ON",
        f"wsrep_provider={galera}",
        "wsrep_cluster_name=travelgo",
        f"wsrep_cluster_address=gcomm://{gcomm}",
        f"wsrep_node_name={node.name}",
        "wsrep_node_address=127.0.0.1",
        f"wsrep_node_incoming_address=127.0.0.1:{node.port}",
        "wsrep_sst_method=rsync",
        f"wsrep_sst_receive_address=127.0.0.1:{sst_port}",
        "wsrep_slave_threads=4",
        'wsrep_provider_options="'
        f"base_port={node.galera_port};gmcast.listen_addr=tcp://127.0.0.1:{node.galera_port};"
        f'ist.recv_addr=127.0.0.1:{ist_port};gcache.size=256M;{EVS_OPTIONS}"',
        "",
    ]
    node.config.write_text("\n".join(lines))


def initialise(node: Node, installer: str) -> None:
    node.home.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    if (node.datadir / "mysql").exists():
        return
    print(f"Initialising {node.name} in {node.datadir} …")
    result = subprocess.run(
        [
            installer,
            "--no-defaults",
            f"--datadir={node.datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *([f"--user={user}"] if user else []),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        raise SystemExit(f"could not initialise {node.name} with {installer}")


def grastate(node: Node) -> tuple[int, bool]:
    """(seqno, safe_to_bootstrap) from the node's grastate.dat ((-1, False) when missing)."""
    try:
        text = (node.datadir / "grastate.dat").read_text()
    except OSError:
        return -1, False
    seqno = re.search(r"^seqno:\s*(-?\d+)", text, re.M)
    safe = re.search(r"^safe_to_bootstrap:\s*(\d)", text, re.M)
    return (int(seqno.group(1)) if seqno else -1), bool(safe and safe.group(1) == "1")


def _mark_safe_to_bootstrap(node: Node) -> None:
    path = node.datadir / "grastate.dat"
    if path.exists():
        path.write_text(re.sub(r"^safe_to_bootstrap:\s*\d", "safe_to_bootstrap: 1", path.read_text(), flags=re.M))


def choose_bootstrap() -> Node:
    """With every node down: the one marked safe to bootstrap (the last to stop), else the most advanced."""
    states = {node: grastate(node) for node in NODES}
    safe = [node for node, (_, ok) in states.items() if ok]
    if safe:
        return safe[0]
    # All crashed: the highest seqno (ties and unknown -> node 1). Development only: we accept the risk of
    # bootstrapping from a node that missed the very last write sets.
    node = max(NODES, key=lambda n: (states[n][0], -n.index))
    _mark_safe_to_bootstrap(node)
    return node


def recovered_position(node: Node, server: str) -> str | None:
    """After a crash grastate.dat says seqno -1: read the last committed position from InnoDB (what systemd's
    galera_recovery does), so the node rejoins with IST (the missed write sets) instead of a full SST."""
    seqno, _ = grastate(node)
    if seqno != -1 or not (node.datadir / "grastate.dat").exists():
        return None
    log = node.home / "recover.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        [server, f"--defaults-file={node.config}", "--wsrep-recover", f"--log-error={log}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    found = re.findall(r"WSREP: Recovered position: (\S+)", log.read_text(errors="replace") if log.exists() else "")
    return found[-1] if found and not found[-1].endswith(":-1") else None


def launch(node: Node, server: str, bootstrap: bool) -> None:
    position = None if bootstrap else recovered_position(node, server)
    print(f"Starting {node.name} on 127.0.0.1:{node.port}{' (new cluster)' if bootstrap else ''} …")
    log_offset = node.log.stat().st_size if node.log.exists() else 0
    process = subprocess.Popen(
        [
            server,
            f"--defaults-file={node.config}",
            *(["--wsrep-new-cluster"] if bootstrap else []),
            *([f"--wsrep-start-position={position}"] if position else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=node.home,
    )
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if is_synced(node):
            return
        time.sleep(0.5)
    tail = ""
    if node.log.exists():
        with node.log.open(errors="replace") as f:
            f.seek(log_offset)
            tail = f.read()[-3000:]
    raise SystemExit(f"{node.name} did not become synced; the end of {node.log}:\n{tail}")


def start() -> list[str]:
    """Start whatever nodes are not running; returns the three DATABASE_URLs."""
    found = find_server()
    galera = provider()
    if not found or not galera or not shutil.which("rsync"):
        print(
            "A Galera cluster needs mariadb-server, galera-4 and rsync:\n"
            "  sudo apt-get install -y mariadb-server galera-4 rsync\n" + ("" if found else install_help()),
            file=sys.stderr,
        )
        raise SystemExit(1)
    server, installer = found
    CLUSTER_DIR.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    for node in NODES:
        initialise(node, installer)
        write_config(node, server)
    if user:
        _chown(CLUSTER_DIR, user)
    running = [node for node in NODES if node.pid() is not None]
    for node in running:  # a node still starting (or catching up) finishes before others join through it
        if not is_synced(node):
            _wait_synced(node)
    if not running:
        first = choose_bootstrap()
        if user:
            _chown(first.datadir, user)
        launch(first, server, bootstrap=True)
        running.append(first)
    for node in NODES:
        if node not in running:
            launch(node, server, bootstrap=False)
    return [node.url() for node in NODES]


def _wait_synced(node: Node) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not is_synced(node):
        if time.monotonic() > deadline or node.pid() is None:
            raise SystemExit(f"{node.name} runs but is not synced; see {node.log}")
        time.sleep(0.5)


def stop_node(node: Node, sig: int = signal.SIGTERM, timeout: float = 120) -> None:
    pid = node.pid()
    if pid is None:
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while node.pid() is not None:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
        time.sleep(0.2)


def stop() -> None:
    """Stop every node, node 1 last (it is then marked safe to bootstrap the next start)."""
    for node in reversed(NODES):
        if node.pid() is not None:
            print(f"Stopping {node.name} …")
            stop_node(node)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--database", default=None, help="database name in the printed URLs")
    args = parser.parse_args()
    if args.action == "stop":
        stop()
        print("Cluster stopped.")
        return
    if args.action == "status":
        for node in NODES:
            state = status(node)
            print(
                f"{node.name} 127.0.0.1:{node.port} pid={node.pid()} "
                f"state={state.get('wsrep_local_state_comment', 'down')} size={state.get('wsrep_cluster_size', '-')}"
            )
        return
    start()
    database = args.database or os.environ.get("DATABASE_URL", "mysql:///travelgo").rsplit("/", 1)[-1] or "travelgo"
    print("Galera cluster up (3 nodes, synced). DATABASE_URLs:")
    for node in NODES:
        print(f"  DATABASE_URL={node.url(database)}")


if __name__ == "__main__":
    main()
