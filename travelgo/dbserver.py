"""`make db`: make sure a MySQL/MariaDB server answers at DATABASE_URL.

If nothing listens on a local address but mariadbd/mysqld is installed, initialise and start a
project-local server with its data under var/mysql (no root needed). Otherwise print how to get one.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymysql

from .config import VAR_DIR, DatabaseURL

DATA_DIR = Path(os.environ.get("TRAVELGO_LOCAL_DB_DIR", VAR_DIR / "mysql"))


def reachable(url: DatabaseURL) -> bool:
    try:
        pymysql.connect(connect_timeout=2, **url.connect_kwargs(with_database=False, key="database")).close()
        return True
    except pymysql.err.OperationalError as exc:
        # 1045/1044 (access denied) still means a server is listening.
        return exc.args and exc.args[0] in (1044, 1045, 1049)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def find_server() -> tuple[str, str] | None:
    for server, installer in (("mariadbd", "mariadb-install-db"), ("mysqld", "mysql_install_db")):
        path = shutil.which(server) or (f"/usr/sbin/{server}" if os.path.exists(f"/usr/sbin/{server}") else None)
        if path:
            return path, shutil.which(installer) or installer
    return None


def start_local(url: DatabaseURL) -> None:
    found = find_server()
    if not found:
        print(install_help(), file=sys.stderr)
        raise SystemExit(1)
    server, installer = found
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    datadir, sock, log = DATA_DIR / "data", DATA_DIR / "mysql.sock", DATA_DIR / "server.log"
    user_args = ["--user=root"] if os.geteuid() == 0 else []
    if not (datadir / "mysql").exists():
        print(f"Initialising a project-local database server in {datadir} …")
        init = [
            installer,
            "--no-defaults",
            f"--datadir={datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *user_args,
        ]
        if "mysqld" in os.path.basename(server):
            init = [server, "--no-defaults", "--initialize-insecure", f"--datadir={datadir}", *user_args]
        result = subprocess.run(init, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr)
            print(f"Could not initialise a local server with {installer}.", file=sys.stderr)
            raise SystemExit(1)
    print(f"Starting {os.path.basename(server)} on {url.host}:{url.port} (data in {datadir}, log {log}) …")
    subprocess.Popen(
        [
            server,
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={sock}",
            f"--port={url.port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={DATA_DIR / 'server.pid'}",
            f"--log-error={log}",
            "--innodb-buffer-pool-size=256M",
            "--max-connections=500",
            *user_args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(60):
        if reachable(url):
            print("Database server is up.")
            return
        time.sleep(0.5)
    print(f"The local server did not come up; see {log}", file=sys.stderr)
    raise SystemExit(1)


def install_help() -> str:
    system = platform.system()
    if system == "Darwin":
        command = "brew install mariadb && brew services start mariadb"
    elif shutil.which("apt-get"):
        command = "sudo apt-get install -y mariadb-server && sudo service mariadb start"
    elif shutil.which("dnf"):
        command = "sudo dnf install -y mariadb-server && sudo systemctl start mariadb"
    else:
        command = "install MariaDB 10.11+ or MySQL 8 with your package manager"
    return (
        "TravelGo needs a MySQL 8 or MariaDB 10.11+ server.\n"
        f"  Install one:   {command}\n"
        "  Or run one:    docker compose up -d db   (see docker-compose.yml)\n"
        "  Or point DATABASE_URL at an existing server, e.g. mysql://user:pass@host:3306/travelgo"
    )


def main() -> None:
    url = DatabaseURL.parse(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo"))
    if reachable(url):
        print(f"Database server reachable at {url.host}:{url.port}.")
        return
    if url.is_local and not port_open("127.0.0.1" if url.host == "localhost" else url.host, url.port):
        start_local(url)
        return
    print(f"Cannot connect to the database at {url.host}:{url.port} as {url.user!r}.", file=sys.stderr)
    print(install_help(), file=sys.stderr)
    raise SystemExit(1)


if __name__ == "__main__":
    main()
