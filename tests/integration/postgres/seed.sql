-- The cluster the PostgreSQL integration tests read (run by scripts/test-servers.sh as the
-- bootstrap superuser `postgres` through the unix socket).
--
-- Group roles: app_readwrite > app_readonly; db_admin (CREATEROLE) holds app_readwrite WITH
-- ADMIN OPTION and app_owner, which owns the database `app` and its tables; ops_super is a
-- NOLOGIN superuser role. People and services are login roles. Planted drift: eve can SET ROLE
-- to a superuser role, dave's password expired but he keeps his memberships, svc_legacy holds
-- TRUNCATE on orders, bob (NOINHERIT) was granted SELECT directly.

-- The connector's own login: nothing but LOGIN (and CONNECT where PUBLIC lost it).
CREATE ROLE rollcall_reader LOGIN PASSWORD 'reader-secret';

CREATE ROLE app_readonly NOLOGIN;
CREATE ROLE app_readwrite NOLOGIN;
CREATE ROLE app_owner NOLOGIN;
CREATE ROLE db_admin NOLOGIN CREATEROLE;
CREATE ROLE auditors NOLOGIN;
CREATE ROLE ops_super NOLOGIN SUPERUSER;
COMMENT ON ROLE app_readonly IS 'read access to the app database';
GRANT app_readonly TO app_readwrite;
GRANT app_readwrite TO db_admin WITH ADMIN OPTION;
GRANT app_owner TO db_admin;

CREATE ROLE alice LOGIN CREATEDB;
COMMENT ON ROLE alice IS 'Alice Archer';
GRANT db_admin TO alice;
CREATE ROLE bob LOGIN NOINHERIT;
GRANT app_readwrite TO bob;
CREATE ROLE "carol@example.com" LOGIN;
GRANT app_readonly, auditors TO "carol@example.com";
CREATE ROLE dave LOGIN VALID UNTIL '2020-01-01 00:00:00+00';
GRANT app_readwrite TO dave;
CREATE ROLE eve LOGIN BYPASSRLS VALID UNTIL 'infinity';
GRANT ops_super TO eve;
CREATE ROLE svc_etl LOGIN VALID UNTIL '2099-01-01 00:00:00+00';
GRANT app_readwrite TO svc_etl WITH ADMIN OPTION;
CREATE ROLE svc_backup LOGIN REPLICATION;
GRANT pg_read_all_data TO svc_backup;
CREATE ROLE svc_legacy LOGIN;
-- Ignored through ignore_roles in the tests.
CREATE ROLE monitoring_agent LOGIN;
GRANT pg_monitor TO monitoring_agent;

CREATE DATABASE app OWNER app_owner;
CREATE DATABASE payroll;
REVOKE CONNECT ON DATABASE payroll FROM PUBLIC;
GRANT CONNECT ON DATABASE payroll TO auditors, rollcall_reader;
-- Not configured in the tests: nothing of it may appear.
CREATE DATABASE scratch;

\connect app
CREATE SCHEMA sales AUTHORIZATION app_owner;
CREATE SCHEMA internal AUTHORIZATION app_owner;
GRANT USAGE ON SCHEMA sales TO app_readonly;
CREATE TABLE public.orders (id int);
ALTER TABLE public.orders OWNER TO app_owner;
CREATE TABLE public.lookup (id int);
GRANT SELECT ON public.lookup TO PUBLIC;
CREATE TABLE sales.customers (id int);
ALTER TABLE sales.customers OWNER TO app_owner;
CREATE VIEW sales.summary AS SELECT count(*) AS n FROM sales.customers;
ALTER VIEW sales.summary OWNER TO app_owner;
GRANT SELECT ON public.orders, sales.customers TO app_readonly;
GRANT INSERT, UPDATE, DELETE ON public.orders TO app_readwrite;
GRANT SELECT ON sales.summary TO auditors WITH GRANT OPTION;
GRANT SELECT ON public.orders TO bob;
GRANT TRUNCATE ON public.orders TO svc_legacy;
CREATE TABLE internal.secrets (id int);
GRANT SELECT ON internal.secrets TO eve;

\connect payroll
CREATE TABLE public.salaries (id int);
GRANT SELECT ON public.salaries TO auditors;
