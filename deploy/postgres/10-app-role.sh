#!/bin/sh
# The application's PostgreSQL role (README "Säkerhet och dataskydd"): it logs in and owns
# nothing. The tables belong to POSTGRES_USER, who runs the migrations; `migrate` grants this role
# what it needs (ramtid/database_roles.py). Run by the postgres image once, when the data
# directory is first created; on an existing volume run the same statement by hand.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" <<'SQL'
CREATE ROLE ramtid_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
