/* test-hq-db.c: tests for src/hq/hq-db.c on SQLite and on PostgreSQL
 *
 * Every test runs twice, as /hq/db/sqlite/NAME against a file in a scratch
 * directory and as /hq/db/postgres/NAME against a fresh database on a
 * private server started in main().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hq-db.h"
#include "till-pg-fixture.h"
#include "till-test-util.h"

static TillPgServer *pg_server;
static char         *pg_start_error;

/* Per test: where the database is, and the open connection. */
static char *scratch;
static char *location;
static char *pg_database;
static HqDb *db;

#define ERROR_TEXT(e) ((e) != NULL ? (e)->message : "")

static HqDb *
open_db (void)
{
  g_autoptr (GError) error = NULL;
  HqDb *opened = hq_db_open (location, &error);

  ck_assert_msg (opened != NULL, "%s", ERROR_TEXT (error));
  ck_assert_ptr_null (error);
  return opened;
}

static void
exec_ok (const char *sql)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (hq_db_exec (db, sql, &error), "%s: %s", sql, ERROR_TEXT (error));
}

/* The table most tests use; BIGINT and TEXT mean the same on both. */
static void
create_item_table (void)
{
  exec_ok ("CREATE TABLE item (id BIGINT PRIMARY KEY, name TEXT, note TEXT)");
}

static gint64
count_items (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_db_query (db, "SELECT count(*) FROM item", NULL, 0, &error);

  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  return hq_db_rows_get_int (rows, 0, 0);
}

static void
insert_item (gint64 id, const char *name)
{
  g_autoptr (GError) error = NULL;
  HqDbValue params[] = { HQ_DB_V_INT (id), HQ_DB_V_TEXT (name) };

  ck_assert_int_eq (hq_db_execute (db, "INSERT INTO item (id, name) VALUES ($1, $2)", params,
                                   G_N_ELEMENTS (params), &error),
                    1);
  ck_assert_ptr_null (error);
}

static void
sqlite_setup (void)
{
  scratch = till_test_make_tmpdir ();
  location = g_build_filename (scratch, "hq.db", NULL);
  db = open_db ();
}

static void
postgres_setup (void)
{
  static guint n_databases;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (pg_server != NULL, "The PostgreSQL server did not start: %s", pg_start_error);
  /* Check forks each test, so the counter alone would repeat. */
  pg_database = g_strdup_printf ("hq_%d_%u", (int) getpid (), n_databases++);
  location = till_pg_server_create_database (pg_server, pg_database, &error);
  ck_assert_msg (location != NULL, "%s", ERROR_TEXT (error));
  db = open_db ();
}

static void
teardown (void)
{
  g_clear_object (&db);
  g_clear_pointer (&location, g_free);
  g_clear_pointer (&pg_database, g_free);
  if (scratch != NULL)
    till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* params: integers at both ends of the range, Chinese text and NULL go in
 * as typed parameters and come back unchanged; a parameter may be used
 * twice and out of order. */
static void
check_params (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  const char *chinese = "农夫山泉 矿泉水 550ml（整箱）";
  HqDbValue   first[] = { HQ_DB_V_INT (G_MAXINT64), HQ_DB_V_TEXT (chinese), HQ_DB_V_NULL };
  HqDbValue   second[] = { HQ_DB_V_INT (G_MININT64), HQ_DB_V_TEXT (NULL), HQ_DB_V_TEXT ("") };
  HqDbValue   by_id[] = { HQ_DB_V_INT (G_MAXINT64) };

  create_item_table ();
  ck_assert_int_eq (
      hq_db_execute (db, "INSERT INTO item (id, name, note) VALUES ($1, $2, $3)", first, 3, &error),
      1);
  ck_assert_ptr_null (error);
  /* $3 before $1: the numbers, not the order, decide. */
  ck_assert_int_eq (hq_db_execute (db, "INSERT INTO item (note, id, name) VALUES ($3, $1, $2)",
                                   second, 3, &error),
                    1);
  ck_assert_ptr_null (error);

  rows = hq_db_query (db, "SELECT id, name, note, id - 1 FROM item WHERE id = $1 OR id = $1", by_id,
                      1, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
  ck_assert_uint_eq (hq_db_rows_get_n_columns (rows), 4);
  ck_assert (hq_db_rows_get_int (rows, 0, 0) == G_MAXINT64);
  ck_assert (hq_db_rows_get_int (rows, 0, 3) == G_MAXINT64 - 1);
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 1), chinese);
  ck_assert (hq_db_rows_is_null (rows, 0, 2));
  ck_assert_ptr_null (hq_db_rows_get_text (rows, 0, 2));
  ck_assert (hq_db_rows_get_int (rows, 0, 2) == 0);
  g_clear_pointer (&rows, hq_db_rows_free);

  rows = hq_db_query (db, "SELECT id, name, note FROM item WHERE id < 0", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
  ck_assert (hq_db_rows_get_int (rows, 0, 0) == G_MININT64);
  /* HQ_DB_V_TEXT (NULL) is SQL NULL; "" is an empty string, not NULL. */
  ck_assert (hq_db_rows_is_null (rows, 0, 1));
  ck_assert (!hq_db_rows_is_null (rows, 0, 2));
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 2), "");
}

/* returning: INSERT … RETURNING gives the row as stored, including a value
 * the database generated. */
static void
check_returning (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  HqDbValue params[] = { HQ_DB_V_TEXT ("收银台 1") };

  if (hq_db_is_postgres (db))
    exec_ok ("CREATE TABLE till (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
             "name TEXT NOT NULL)");
  else
    exec_ok ("CREATE TABLE till (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");

  for (gint64 expected_id = 1; expected_id <= 3; expected_id++)
    {
      rows = hq_db_query (db, "INSERT INTO till (name) VALUES ($1) RETURNING id, name, 7 * 6",
                          params, 1, &error);
      ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
      ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
      ck_assert_uint_eq (hq_db_rows_get_n_columns (rows), 3);
      ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 0), expected_id);
      ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 1), "收银台 1");
      ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 2), 42);
      g_clear_pointer (&rows, hq_db_rows_free);
    }
}

/* on-conflict: a second insert of the same key with ON CONFLICT DO NOTHING
 * returns no rows, changes nothing and leaves the first row as it was. */
static void
check_on_conflict (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  const char *sql = "INSERT INTO item (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING "
                    "RETURNING id";
  HqDbValue   again[] = { HQ_DB_V_INT (1), HQ_DB_V_TEXT ("second") };
  HqDbValue   fresh[] = { HQ_DB_V_INT (2), HQ_DB_V_TEXT ("fresh") };

  create_item_table ();
  insert_item (1, "first");

  rows = hq_db_query (db, sql, again, 2, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 0);
  ck_assert_uint_eq (hq_db_rows_get_n_columns (rows), 1);
  g_clear_pointer (&rows, hq_db_rows_free);
  ck_assert_int_eq (hq_db_execute (db, sql, again, 2, &error), 0);
  ck_assert_ptr_null (error);

  /* The same cached statement still inserts a new key. */
  rows = hq_db_query (db, sql, fresh, 2, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
  ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 0), 2);
  g_clear_pointer (&rows, hq_db_rows_free);

  rows = hq_db_query (db, "SELECT name FROM item WHERE id = 1", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 0), "first");
  ck_assert_int_eq (count_items (), 2);
}

/* changes: execute counts the rows an UPDATE or DELETE touched, and 0 for a
 * SELECT or an UPDATE that matched nothing. */
static void
check_changes (void)
{
  g_autoptr (GError) error = NULL;
  HqDbValue from_id[] = { HQ_DB_V_INT (3) };
  HqDbValue nothing[] = { HQ_DB_V_INT (100) };

  create_item_table ();
  for (gint64 id = 1; id <= 5; id++)
    insert_item (id, "商品");

  ck_assert_int_eq (
      hq_db_execute (db, "UPDATE item SET note = 'x' WHERE id >= $1", from_id, 1, &error), 3);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (
      hq_db_execute (db, "UPDATE item SET note = 'y' WHERE id >= $1", nothing, 1, &error), 0);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (hq_db_execute (db, "SELECT id FROM item", NULL, 0, &error), 0);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (hq_db_execute (db, "DELETE FROM item WHERE id < $1", from_id, 1, &error), 2);
  ck_assert_ptr_null (error);
  ck_assert_int_eq (count_items (), 3);
}

/* constraint: unique, not-null, check and foreign-key violations all come
 * back as HQ_DB_ERROR_CONSTRAINT, naming the statement. */
static void
check_constraint (void)
{
  const char *violations[] = {
    "INSERT INTO item (id, name) VALUES (1, 'again')",
    "INSERT INTO priced (id, item_id, price_fen) VALUES (3, NULL, 100)",
    "INSERT INTO priced (id, item_id, price_fen) VALUES (1, 1, -5)",
    "INSERT INTO priced (id, item_id, price_fen) VALUES (2, 999, 100)",
  };

  create_item_table ();
  exec_ok ("CREATE TABLE priced (id BIGINT PRIMARY KEY, item_id BIGINT NOT NULL "
           "REFERENCES item (id), price_fen BIGINT NOT NULL CHECK (price_fen >= 0))");
  insert_item (1, "first");

  for (guint i = 0; i < G_N_ELEMENTS (violations); i++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert_int_eq (hq_db_execute (db, violations[i], NULL, 0, &error), -1);
      ck_assert_msg (g_error_matches (error, HQ_DB_ERROR, HQ_DB_ERROR_CONSTRAINT), "%s: %s",
                     violations[i], ERROR_TEXT (error));
      ck_assert_msg (g_str_has_prefix (error->message, "INSERT INTO"), "%s", error->message);
    }
  ck_assert_int_eq (count_items (), 1);
}

/* rollback: rows written in a transaction that is rolled back are gone. */
static void
check_rollback (void)
{
  g_autoptr (GError) error = NULL;

  create_item_table ();
  insert_item (1, "kept");
  ck_assert (!hq_db_in_transaction (db));
  ck_assert_msg (hq_db_begin (db, &error), "%s", ERROR_TEXT (error));
  ck_assert (hq_db_in_transaction (db));
  insert_item (2, "discarded");
  insert_item (3, "discarded");
  ck_assert_int_eq (count_items (), 3);
  hq_db_rollback (db);
  ck_assert (!hq_db_in_transaction (db));
  ck_assert_int_eq (count_items (), 1);
  /* Rolling back with no transaction open does nothing. */
  hq_db_rollback (db);
  ck_assert_int_eq (count_items (), 1);
}

/* commit: a committed transaction is there for a new connection. */
static void
check_commit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = NULL;

  create_item_table ();
  ck_assert_msg (hq_db_begin (db, &error), "%s", ERROR_TEXT (error));
  insert_item (1, "永久");
  insert_item (2, "保存");
  ck_assert_msg (hq_db_commit (db, &error), "%s", ERROR_TEXT (error));
  ck_assert (!hq_db_in_transaction (db));

  g_clear_object (&db);
  db = open_db ();
  rows = hq_db_query (db, "SELECT name FROM item ORDER BY id", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 2);
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 0), "永久");
  ck_assert_str_eq (hq_db_rows_get_text (rows, 1, 0), "保存");
}

/* failed-transaction: after a statement fails inside a transaction, the
 * next statements and the commit fail with the first failure's code and
 * nothing of the transaction is kept, on SQLite as on PostgreSQL. */
static void
check_failed_transaction (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) later_error = NULL;
  g_autoptr (GError) commit_error = NULL;
  HqDbValue params[] = { HQ_DB_V_INT (9), HQ_DB_V_TEXT ("after") };

  create_item_table ();
  insert_item (1, "before");
  ck_assert_msg (hq_db_begin (db, &error), "%s", ERROR_TEXT (error));
  insert_item (2, "inside");
  ck_assert_int_eq (hq_db_execute (db, "INSERT INTO item (id) VALUES (1)", NULL, 0, &error), -1);
  ck_assert (g_error_matches (error, HQ_DB_ERROR, HQ_DB_ERROR_CONSTRAINT));
  ck_assert_int_eq (
      hq_db_execute (db, "INSERT INTO item (id, name) VALUES ($1, $2)", params, 2, &later_error),
      -1);
  ck_assert_msg (later_error != NULL && later_error->domain == HQ_DB_ERROR, "no error");
  ck_assert (!hq_db_commit (db, &commit_error));
  ck_assert_msg (g_error_matches (commit_error, HQ_DB_ERROR, HQ_DB_ERROR_CONSTRAINT), "%s",
                 ERROR_TEXT (commit_error));
  ck_assert (!hq_db_in_transaction (db));
  ck_assert_int_eq (count_items (), 1);

  /* The connection works again afterwards. */
  insert_item (3, "later");
  ck_assert_int_eq (count_items (), 2);
}

/* exec: a script of several statements runs in full; a failing statement
 * in a script is reported. */
static void
check_exec (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = NULL;

  exec_ok ("CREATE TABLE store (id BIGINT PRIMARY KEY, name TEXT NOT NULL);\n"
           "CREATE TABLE store_group (id BIGINT PRIMARY KEY, name TEXT NOT NULL);\n"
           "CREATE INDEX store_name ON store (name);\n"
           "INSERT INTO store VALUES (1, '人民路店');\n"
           "INSERT INTO store_group VALUES (7, '华东区');\n");
  rows = hq_db_query (db, "SELECT s.name, g.name FROM store s, store_group g", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 1);
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 0), "人民路店");
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 1), "华东区");

  ck_assert (
      !hq_db_exec (db, "CREATE TABLE other (id BIGINT); CREATE TABLE store (id BIGINT);", &error));
  ck_assert_msg (error != NULL && error->domain == HQ_DB_ERROR, "no error");
}

/* bad-sql: a statement the database cannot parse, or about a table that
 * does not exist, fails with an error that names it; a statement that uses
 * more parameters than it was given fails too. */
static void
check_bad_sql (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) missing_error = NULL;
  g_autoptr (GError) param_error = NULL;
  g_autoptr (GError) exec_error = NULL;
  HqDbValue one[] = { HQ_DB_V_INT (1) };

  ck_assert_ptr_null (hq_db_query (db, "SELEKT id FROM item", NULL, 0, &error));
  ck_assert_msg (error != NULL && error->domain == HQ_DB_ERROR, "no error");
  ck_assert_msg (strstr (error->message, "SELEKT id FROM item") != NULL, "%s", error->message);

  ck_assert_int_eq (
      hq_db_execute (db, "INSERT INTO missing_table VALUES ($1)", one, 1, &missing_error), -1);
  ck_assert_msg (missing_error != NULL, "no error");
  ck_assert_msg (strstr (missing_error->message, "INSERT INTO missing_table") != NULL, "%s",
                 missing_error->message);

  create_item_table ();
  ck_assert_int_eq (
      hq_db_execute (db, "INSERT INTO item (id, name) VALUES ($1, $2)", one, 1, &param_error), -1);
  ck_assert_msg (param_error != NULL, "a missing parameter was bound as NULL");
  ck_assert_int_eq (count_items (), 0);

  /* One statement per query (a trailing semicolon is fine); scripts go
   * through hq_db_exec(). */
  {
    g_autoptr (GError) two_error = NULL;
    g_autoptr (HqDbRows) one_row = hq_db_query (db, "SELECT 1;", NULL, 0, &two_error);

    ck_assert_msg (one_row != NULL, "%s", ERROR_TEXT (two_error));
    ck_assert_ptr_null (hq_db_query (db, "SELECT 1; SELECT 2", NULL, 0, &two_error));
    ck_assert_msg (two_error != NULL && two_error->domain == HQ_DB_ERROR, "no error");
  }

  ck_assert (!hq_db_exec (db, "CREAT TABLE x (id BIGINT)", &exec_error));
  ck_assert_msg (strstr (exec_error->message, "CREAT TABLE") != NULL, "%s", exec_error->message);
}

/* statement-cache: the same SQL run many times with different values (and
 * once with NULL where text usually goes) gives each run's own result. */
static void
check_statement_cache (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  HqDbValue null_name[] = { HQ_DB_V_INT (1000), HQ_DB_V_NULL };

  create_item_table ();
  for (gint64 id = 1; id <= 200; id++)
    {
      g_autofree char *name = g_strdup_printf ("商品%" G_GINT64_FORMAT, id);

      insert_item (id, name);
    }
  ck_assert_int_eq (
      hq_db_execute (db, "INSERT INTO item (id, name) VALUES ($1, $2)", null_name, 2, &error), 1);
  ck_assert_ptr_null (error);

  for (gint64 id = 1; id <= 200; id += 37)
    {
      g_autofree char *expected = g_strdup_printf ("商品%" G_GINT64_FORMAT, id);
      HqDbValue        by_id[] = { HQ_DB_V_INT (id) };

      rows = hq_db_query (db, "SELECT name FROM item WHERE id = $1", by_id, 1, &error);
      ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
      ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 0), expected);
      g_clear_pointer (&rows, hq_db_rows_free);
    }
  rows = hq_db_query (db, "SELECT count(*), sum(id), count(name) FROM item", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 0), 201);
  ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 1), 200 * 201 / 2 + 1000);
  ck_assert_int_eq (hq_db_rows_get_int (rows, 0, 2), 200);
}

/* Each body above runs once per backend under its own name. */
#define BOTH_BACKENDS(name)              \
  START_TEST (test_sqlite_##name)        \
  {                                      \
    ck_assert (!hq_db_is_postgres (db)); \
    check_##name ();                     \
  }                                      \
  END_TEST                               \
  START_TEST (test_postgres_##name)      \
  {                                      \
    ck_assert (hq_db_is_postgres (db));  \
    check_##name ();                     \
  }                                      \
  END_TEST

BOTH_BACKENDS (params)
BOTH_BACKENDS (returning)
BOTH_BACKENDS (on_conflict)
BOTH_BACKENDS (changes)
BOTH_BACKENDS (constraint)
BOTH_BACKENDS (rollback)
BOTH_BACKENDS (commit)
BOTH_BACKENDS (failed_transaction)
BOTH_BACKENDS (exec)
BOTH_BACKENDS (bad_sql)
BOTH_BACKENDS (statement_cache)

/* /hq/db/sqlite/bad-location: a path in a missing directory, and a file
 * that is not a database, fail to open with HQ_DB_ERROR_CONNECT. */
START_TEST (test_sqlite_bad_location)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) garbage_error = NULL;
  g_autofree char *missing = g_build_filename (scratch, "no-such-dir", "hq.db", NULL);
  g_autofree char *garbage = g_build_filename (scratch, "garbage.db", NULL);
  g_autofree char *text = g_strnfill (8192, 'x');
  HqDb            *opened;

  opened = hq_db_open (missing, &error);
  ck_assert_ptr_null (opened);
  ck_assert_msg (g_error_matches (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT), "%s",
                 ERROR_TEXT (error));

  ck_assert (g_file_set_contents (garbage, text, -1, NULL));
  opened = hq_db_open (garbage, &garbage_error);
  ck_assert_ptr_null (opened);
  ck_assert_msg (g_error_matches (garbage_error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT), "%s",
                 ERROR_TEXT (garbage_error));
}
END_TEST

/* /hq/db/sqlite/pragmas: the file is in WAL mode with foreign keys on. */
START_TEST (test_sqlite_pragmas)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) mode = hq_db_query (db, "PRAGMA journal_mode", NULL, 0, &error);
  g_autoptr (HqDbRows) keys = NULL;
  g_autoptr (HqDbRows) sync = NULL;

  ck_assert_msg (mode != NULL, "%s", ERROR_TEXT (error));
  ck_assert_str_eq (hq_db_rows_get_text (mode, 0, 0), "wal");
  keys = hq_db_query (db, "PRAGMA foreign_keys", NULL, 0, &error);
  ck_assert_msg (keys != NULL, "%s", ERROR_TEXT (error));
  ck_assert_int_eq (hq_db_rows_get_int (keys, 0, 0), 1);
  sync = hq_db_query (db, "PRAGMA synchronous", NULL, 0, &error);
  ck_assert_msg (sync != NULL, "%s", ERROR_TEXT (error));
  ck_assert_int_eq (hq_db_rows_get_int (sync, 0, 0), 2); /* FULL */
}
END_TEST

/* /hq/db/postgres/bad-location: a database that does not exist and a port
 * nobody listens on fail with HQ_DB_ERROR_CONNECT. */
START_TEST (test_postgres_bad_location)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) port_error = NULL;
  g_autofree char *missing_db = NULL;
  HqDb            *opened;

  missing_db = g_strdup_printf ("postgresql://opentill@127.0.0.1:%u/no_such_database",
                                till_pg_server_get_port (pg_server));
  opened = hq_db_open (missing_db, &error);
  ck_assert_ptr_null (opened);
  ck_assert_msg (g_error_matches (error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT), "%s",
                 ERROR_TEXT (error));
  ck_assert_msg (strstr (error->message, "no_such_database") != NULL, "%s", error->message);

  opened = hq_db_open ("pg:host=127.0.0.1 port=1 dbname=hq user=opentill connect_timeout=5",
                       &port_error);
  ck_assert_ptr_null (opened);
  ck_assert_msg (g_error_matches (port_error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT), "%s",
                 ERROR_TEXT (port_error));
}
END_TEST

/* /hq/db/postgres/uri: a postgresql:// URI over TCP reaches the same
 * database as the pg: location over the Unix socket. */
START_TEST (test_postgres_uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDb) over_tcp = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  g_autofree char *uri = g_strdup_printf ("postgresql://opentill@127.0.0.1:%u/%s",
                                          till_pg_server_get_port (pg_server), pg_database);

  create_item_table ();
  insert_item (5, "经由 TCP");
  over_tcp = hq_db_open (uri, &error);
  ck_assert_msg (over_tcp != NULL, "%s", ERROR_TEXT (error));
  ck_assert (hq_db_is_postgres (over_tcp));
  rows = hq_db_query (over_tcp, "SELECT name FROM item WHERE id = 5", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_str_eq (hq_db_rows_get_text (rows, 0, 0), "经由 TCP");
}
END_TEST

/* /hq/db/postgres/reconnect: when the server drops the connection, the
 * statement that meets it fails with HQ_DB_ERROR_CONNECT and the next one
 * runs on a new connection, its prepared statements made again. */
START_TEST (test_postgres_reconnect)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) lost_error = NULL;
  g_autoptr (HqDb) admin = NULL;
  g_autoptr (HqDbRows) pid_rows = NULL;
  g_autoptr (HqDbRows) killed = NULL;
  g_autoptr (HqDbRows) rows = NULL;
  HqDbValue pid[1];

  create_item_table ();
  insert_item (1, "before");
  pid_rows = hq_db_query (db, "SELECT pg_backend_pid()", NULL, 0, &error);
  ck_assert_msg (pid_rows != NULL, "%s", ERROR_TEXT (error));
  pid[0] = HQ_DB_V_INT (hq_db_rows_get_int (pid_rows, 0, 0));

  admin = open_db ();
  killed = hq_db_query (admin, "SELECT pg_terminate_backend($1::integer)", pid, 1, &error);
  ck_assert_msg (killed != NULL, "%s", ERROR_TEXT (error));
  ck_assert_int_eq (hq_db_rows_get_int (killed, 0, 0), 1);

  ck_assert_int_eq (hq_db_execute (db, "INSERT INTO item (id, name) VALUES ($1, $2)",
                                   (HqDbValue[]){ HQ_DB_V_INT (2), HQ_DB_V_TEXT ("lost") }, 2,
                                   &lost_error),
                    -1);
  ck_assert_msg (g_error_matches (lost_error, HQ_DB_ERROR, HQ_DB_ERROR_CONNECT), "%s",
                 ERROR_TEXT (lost_error));

  insert_item (3, "after");
  rows = hq_db_query (db, "SELECT id FROM item ORDER BY id", NULL, 0, &error);
  ck_assert_msg (rows != NULL, "%s", ERROR_TEXT (error));
  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), 2);
  ck_assert_int_eq (hq_db_rows_get_int (rows, 1, 0), 3);
}
END_TEST

/* /hq/db/postgres/busy: a serialization failure (two transactions updating
 * the same row under REPEATABLE READ) is HQ_DB_ERROR_BUSY, and so is the
 * commit of the transaction it doomed: the caller runs it again. */
START_TEST (test_postgres_busy)
{
  const char *repeatable = "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL "
                           "REPEATABLE READ";
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) busy_error = NULL;
  g_autoptr (GError) commit_error = NULL;
  g_autoptr (HqDb) other = NULL;
  g_autoptr (HqDbRows) seen = NULL;

  create_item_table ();
  insert_item (1, "original");
  exec_ok (repeatable);
  other = open_db ();

  ck_assert_msg (hq_db_begin (db, &error), "%s", ERROR_TEXT (error));
  seen = hq_db_query (db, "SELECT name FROM item WHERE id = 1", NULL, 0, &error);
  ck_assert_msg (seen != NULL, "%s", ERROR_TEXT (error));
  ck_assert_int_eq (
      hq_db_execute (other, "UPDATE item SET name = 'other' WHERE id = 1", NULL, 0, &error), 1);
  ck_assert_int_eq (
      hq_db_execute (db, "UPDATE item SET name = 'mine' WHERE id = 1", NULL, 0, &busy_error), -1);
  ck_assert_msg (g_error_matches (busy_error, HQ_DB_ERROR, HQ_DB_ERROR_BUSY), "%s",
                 ERROR_TEXT (busy_error));
  ck_assert (!hq_db_commit (db, &commit_error));
  ck_assert (g_error_matches (commit_error, HQ_DB_ERROR, HQ_DB_ERROR_BUSY));
  ck_assert (!hq_db_in_transaction (db));
}
END_TEST

/* /hq/db/postgres/server-start: reported when the fixture could not start. */
START_TEST (test_postgres_server_start)
{
  ck_abort_msg ("The PostgreSQL server did not start: %s", pg_start_error);
}
END_TEST

static void
add_both (TCase *tcase, gboolean postgres)
{
#define ADD(name) tcase_add_test (tcase, postgres ? test_postgres_##name : test_sqlite_##name)
  ADD (params);
  ADD (returning);
  ADD (on_conflict);
  ADD (changes);
  ADD (constraint);
  ADD (rollback);
  ADD (commit);
  ADD (failed_transaction);
  ADD (exec);
  ADD (bad_sql);
  ADD (statement_cache);
  ADD (bad_location);
#undef ADD
}

static Suite *
hq_db_suite (void)
{
  Suite *suite = suite_create ("hq-db");
  TCase *sqlite_case = tcase_create ("/hq/db/sqlite");
  TCase *postgres_case = tcase_create ("/hq/db/postgres");

  tcase_add_checked_fixture (sqlite_case, sqlite_setup, teardown);
  add_both (sqlite_case, FALSE);
  tcase_add_test (sqlite_case, test_sqlite_pragmas);
  suite_add_tcase (suite, sqlite_case);

  if (pg_server != NULL)
    {
      tcase_add_checked_fixture (postgres_case, postgres_setup, teardown);
      add_both (postgres_case, TRUE);
      tcase_add_test (postgres_case, test_postgres_uri);
      tcase_add_test (postgres_case, test_postgres_reconnect);
      tcase_add_test (postgres_case, test_postgres_busy);
    }
  else
    tcase_add_test (postgres_case, test_postgres_server_start);
  suite_add_tcase (suite, postgres_case);
  return suite;
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  int status;

  /* One server for the whole suite, started before Check forks the tests. */
  pg_server = till_pg_server_start (&error);
  if (pg_server == NULL)
    pg_start_error = g_strdup (error->message);
  status = till_test_run_suite (hq_db_suite ());
  till_pg_server_stop (pg_server);
  g_free (pg_start_error);
  return status;
}
