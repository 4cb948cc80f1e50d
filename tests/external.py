"""External servers and tools for the remote-store and interoperability tests.

* :func:`start_virtuoso` runs a private Virtuoso (Debian ``virtuoso-opensource``) from a temporary
  directory on free loopback ports, without systemd, and :meth:`Virtuoso.stop` ends it by its PID.
* :func:`jena_classpath` builds the classpath for Apache Jena's command-line classes from the
  Debian ``libapache-jena-java`` jars (Debian installs no wrapper scripts), including the
  workaround for the packaging bug that leaves the shaded xerces message bundles where xerces
  does not look for them (every Jena command otherwise dies in ``JenaSystem.init``).
* :func:`chromium` finds Debian's ``chromium`` for the browser tests (playwright drives it).

All are installed by ``.ci/system-deps`` (see the Makefile's test target). :func:`require` decides
what a missing one means (:func:`verdict`): in CI (``CI`` set, as CI runs ``.ci/run``) the test
fails, since nothing may be skipped there; on a developer's machine it is skipped with the Debian
package to install as the reason. ``REPNET_SKIP_VIRTUOSO=1`` / ``REPNET_SKIP_JENA=1`` /
``REPNET_SKIP_CHROMIUM=1`` skip those tests outside CI even when the program is there. Programs
are looked up on ``PATH`` only, so a run with a ``PATH`` that lacks them shows what a laptop without
them gets.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
VSP = "/var/lib/virtuoso-opensource-7/vsp"
JAVA_DIR = Path("/usr/share/java")

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql}
DisableUnixSocket  = 1
DisableTcpSocket   = 0
CaseMode           = 2
DirsAllowed        = ., {dir}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxQueryMem        = 512M
ThreadsPerQuery    = 2
CheckpointInterval = 0

[HTTPServer]
ServerPort         = 127.0.0.1:{http}
ServerRoot         = {vsp}
ServerThreads      = 10
MaxClientConnections = 10
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def in_ci() -> bool:
    """Whether this run is CI's (``CI`` set to anything but empty, 0, false or no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def verdict(found: bool, ci: bool, skip_asked: bool) -> str:
    """What a test that needs an external program does: "run", "skip" or "fail".

    CI runs every test: a missing program fails there, and a REPNET_SKIP_* variable is ignored.
    Elsewhere a missing program, or one a developer asked to leave out, skips the test.
    """
    if ci:
        return "run" if found else "fail"
    return "run" if found and not skip_asked else "skip"


def require(program: str, package: str, skip_env: str, path: Path | None = None) -> str:
    """The program's path (``path``: a file to check instead of looking ``program`` up on PATH);
    else skips or fails the test as :func:`verdict` says, naming the Debian package that brings it."""
    found = (str(path) if path.exists() else None) if path is not None else shutil.which(program)
    skip_asked = os.environ.get(skip_env) == "1"
    action = verdict(found is not None, in_ci(), skip_asked)
    if action == "run" and found is not None:
        return found
    if action == "skip" and found is not None:
        pytest.skip(f"{skip_env}=1 leaves out the tests that need {program}")
    if action == "skip":
        pytest.skip(f"{program} is not installed (Debian package {package}; `sudo bash .ci/system-deps {package}`)")
    pytest.fail(f"{program} is not installed and CI runs every test: `bash .ci/system-deps {package}` "
                f"(the Makefile's test target runs it) must install Debian's {package}")


def chromium() -> str:
    """Debian's chromium for playwright's ``executable_path`` (playwright's own download is never used)."""
    return require("chromium", "chromium", "REPNET_SKIP_CHROMIUM")


# Headless Chromium reaches no network: every name resolves to nothing (a page under test may only
# reach the loopback server it was loaded from, when ``loopback``).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND"]
LOOPBACK_ARGS = CHROMIUM_ARGS[:-1] + ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@dataclass
class ServedPage:
    """A Chromium page of a local server: every request (``seen``), those refused because they left
    the server (``blocked``), and the page's script errors and console errors (``errors``)."""

    page: Any
    seen: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextlib.contextmanager
def served_page(chromium: str, origin: str) -> Iterator[ServedPage]:
    """A fresh headless Chromium with one page that may reach ``origin`` and nothing else."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=LOOPBACK_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860}, service_workers="block")
            served = ServedPage(page=None)

            def route(r: Any) -> None:
                served.seen.append(r.request.url)
                if r.request.url.startswith(origin):
                    r.continue_()
                else:
                    served.blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            served.page = context.new_page()
            served.page.on("pageerror", lambda exc: served.errors.append(str(exc)))
            served.page.on("console", lambda m: served.errors.append(m.text) if m.type == "error" else None)
            yield served
        finally:
            browser.close()


@dataclass
class Virtuoso:
    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes]
    user: str = "dba"
    password: str = "dba"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def graph_crud_auth(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    def isql(self, statement: str) -> str:
        r = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", self.user, self.password, f"exec={statement}"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"isql-vt failed ({r.returncode}): {r.stdout}{r.stderr}")
        return r.stdout

    def log(self) -> str:
        p = self.directory / "virtuoso.log"
        return p.read_text(errors="replace")[-4000:] if p.exists() else ""

    def stop(self) -> None:
        """SIGTERM to our own PID (Virtuoso then shuts down in ~1.5 s); SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_virtuoso(directory: Path, max_rows: int = 1_000_000, timeout: float = 60.0) -> Virtuoso:
    """Start a private Virtuoso in ``directory`` on free loopback ports and wait until /sparql answers."""
    program = require(VIRTUOSO, "virtuoso-opensource", "REPNET_SKIP_VIRTUOSO")
    directory.mkdir(parents=True, exist_ok=True)
    http, sql = _free_port(), _free_port()
    while sql == http:
        sql = _free_port()
    (directory / "virtuoso.ini").write_text(INI.format(dir=directory, http=http, sql=sql, vsp=VSP, max_rows=max_rows))
    with (directory / "stdout.log").open("wb") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen([program, "-f", "-c", str(directory / "virtuoso.ini")], cwd=directory, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    v = Virtuoso(directory, http, sql, proc)
    deadline = time.monotonic() + timeout
    url = f"{v.sparql}?query=" + urllib.parse.quote("ASK {}")
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{v.log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return v
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            v.stop()
            raise RuntimeError(f"Virtuoso did not answer within {timeout:.0f} s:\n{v.log()}")
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------------- Jena
JENA_JARS = (
    "jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index", "jena-dboe-storage",
    "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri", "jena-rdfconnection", "jena-shacl", "jena-shex",
    "jena-tdb", "jena-tdb2",
    # what they need (one slf4j binding only: the directory holds all of them, which makes the JVM die)
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3", "commons-logging",
    "dexx.collection", "gson", "guava", "httpclient", "httpclient-cache", "httpcore", "jackson-core", "jackson-databind",
    "jackson-annotations", "jsonld-java", "jakarta.json-api", "titanium-json-ld", "protobuf", "thrift", "slf4j-api",
    "slf4j-simple",
)


def _jar(name: str) -> Path | None:
    """The unversioned Debian symlink for a jar, if it is installed."""
    p = JAVA_DIR / f"{name}.jar"
    return p if p.exists() else None


def jena_classpath(work: Path) -> str:
    """A classpath for Jena's command classes (riotcmd.riot, shacl.shacl, ...), with the xerces fix in ``work``."""
    require("java", "default-jre-headless", "REPNET_SKIP_JENA")
    core = Path(require("Apache Jena", "libapache-jena-java", "REPNET_SKIP_JENA", path=JAVA_DIR / "jena-core.jar"))
    jars = [j for j in (_jar(n) for n in JENA_JARS) if j is not None]
    # Debian's jena-core holds the shaded xerces classes as xerces.* but their message bundles
    # under org/apache/jena/ext/xerces/: copy the bundles to where the classes look for them.
    fix = work / "jena-xerces-fix"
    if not fix.exists():
        with zipfile.ZipFile(core) as z:
            for name in z.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                    target = fix / name.removeprefix("org/apache/jena/ext/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(name))
    return os.pathsep.join([str(fix), *map(str, jars)])


def jena(classpath: str, main: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one Jena command class (a JVM per call: about 1-2 s)."""
    return subprocess.run(["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath, main, *args],
                          capture_output=True, text=True, timeout=timeout)
