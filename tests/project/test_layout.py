"""The source layout: site/ is a folder on the path, never a package."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.ROOT_DIR)


def test_site_folder_is_not_a_package():
    assert (ROOT / "site").is_dir()
    assert not (ROOT / "site" / "__init__.py").exists()


def test_standard_site_module_still_works_in_the_tests():
    import site

    assert callable(site.getsitepackages)
    assert site.getsitepackages()
    assert Path(site.__file__).parent != ROOT / "site"


def test_standard_site_module_still_works_under_manage_py():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import site, assosolos, lottery; print(len(site.getsitepackages()) > 0)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_asgi_and_wsgi_entry_points_find_their_apps_from_a_bare_path():
    code = (
        "import sys; sys.path.insert(0, 'site'); "
        "import assosolos.asgi, assosolos.wsgi, site; "
        "print(type(assosolos.asgi.application).__name__, bool(site.getsitepackages()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "assosolos.settings.test"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ProtocolTypeRouter", "True"]
