#!/usr/bin/env bash
# A release, on the host, from the new checkout in /srv/assosolos:
#   sudo -u assosolos deploy/release.sh && sudo systemctl restart assosolos-web 'assosolos-qcluster@*'
# Migrations are written to run while the previous release still serves.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a
# shellcheck disable=SC1091
. /etc/assosolos/assosolos.env
set +a
.venv/bin/python -m pip install --quiet -r requirements.txt
.venv/bin/python manage.py check --deploy --fail-level WARNING
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0
echo "Release ready: restart assosolos-web and assosolos-qcluster@*"
