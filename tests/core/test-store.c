/* test-store.c: tests for src/core/till-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "till-core.h"
#include "till-test-util.h"

static char *scratch;
static char *db_path;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
}

static int
pragma_int (TillStore *store, const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int (stmt, 0);
}

static gboolean
table_exists (sqlite3 *db, const char *name)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", -1,
                      &stmt, NULL);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* /core/store/open-configures-durability */
START_TEST (test_open_configures_durability)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (store);
  ck_assert_int_eq (till_store_get_schema_version (store), till_store_get_latest_schema_version ());
  ck_assert_int_eq (pragma_int (store, "PRAGMA synchronous"), 2 /* FULL */);
  ck_assert_int_eq (pragma_int (store, "PRAGMA foreign_keys"), 1);
  ck_assert_int_eq (pragma_int (store, "PRAGMA trusted_schema"), 0);
  sqlite3_prepare_v2 (till_store_get_db (store), "PRAGMA journal_mode", -1, &stmt, NULL);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "wal");
  for (const char *const *t = (const char *const[]){ "product", "barcode", "sale", "sale_line",
                                                     "payment", "stock_move", "journal", "outbox",
                                                     "cart", "cart_line", "user", NULL };
       *t != NULL; t++)
    ck_assert_msg (table_exists (till_store_get_db (store), *t), "no table %s", *t);
}
END_TEST

/* /core/store/reopen-keeps-data */
START_TEST (test_reopen_keeps_data)
{
  g_autoptr (GError) error = NULL;
  TillStore *store = till_store_open (db_path, &error);

  ck_assert_ptr_nonnull (store);
  ck_assert (till_store_set_setting (store, "store.name", "开心便利店", &error));
  g_object_unref (store);

  store = till_store_open (db_path, &error);
  ck_assert_ptr_nonnull (store);
  {
    g_autofree char *name = till_store_get_setting (store, "store.name");
    g_autofree char *missing = till_store_get_setting (store, "no.such.key");

    ck_assert_str_eq (name, "开心便利店");
    ck_assert_ptr_null (missing);
  }
  g_object_unref (store);
}
END_TEST

/* /core/store/second-open-is-locked: a second till on the same database refuses
 * to start, with a message that says why; the lock goes with the first. */
START_TEST (test_second_open_is_locked)
{
  g_autoptr (GError) error = NULL;
  TillStore *first = till_store_open (db_path, &error);
  TillStore *second;

  ck_assert_ptr_nonnull (first);
  second = till_store_open (db_path, &error);
  ck_assert_ptr_null (second);
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_LOCKED));
  ck_assert_ptr_nonnull (strstr (error->message, db_path));
  g_clear_error (&error);

  g_object_unref (first);
  second = till_store_open (db_path, &error);
  ck_assert_ptr_nonnull (second);
  g_object_unref (second);
}
END_TEST

/* /core/store/lock-held-by-another-process */
START_TEST (test_lock_held_by_another_process)
{
  int   ready[2];
  int   release[2];
  pid_t child;
  char  byte = 0;
  int   status = 0;

  ck_assert_int_eq (pipe (ready), 0);
  ck_assert_int_eq (pipe (release), 0);
  child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      TillStore *store = till_store_open (db_path, NULL);

      if (write (ready[1], store != NULL ? "y" : "n", 1) != 1 || read (release[0], &byte, 1) != 1)
        _exit (2);
      _exit (store != NULL ? 0 : 1);
    }

  ck_assert_int_eq (read (ready[0], &byte, 1), 1);
  ck_assert_int_eq (byte, 'y');
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillStore) store = till_store_open (db_path, &error);
    g_autofree char *pid = g_strdup_printf ("%d", (int) child);

    ck_assert_ptr_null (store);
    ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_LOCKED));
    ck_assert_msg (strstr (error->message, pid) != NULL, "message names the holder: %s",
                   error->message);
  }
  /* A killed holder releases the lock with its process. */
  kill (child, SIGKILL);
  waitpid (child, &status, 0);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TillStore) store = till_store_open (db_path, &error);

    ck_assert_ptr_nonnull (store);
  }
}
END_TEST

/* /core/store/not-a-till-database */
START_TEST (test_not_a_till_database)
{
  g_autoptr (GError) error = NULL;
  sqlite3   *db = NULL;
  TillStore *store;

  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "CREATE TABLE songs (title TEXT)", NULL, NULL, NULL),
                    SQLITE_OK);
  sqlite3_close (db);

  store = till_store_open (db_path, &error);
  ck_assert_ptr_null (store);
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_CORRUPT));
}
END_TEST

/* /core/store/garbage-file */
START_TEST (test_garbage_file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');
  TillStore       *store;

  ck_assert (g_file_set_contents (db_path, garbage, -1, NULL));
  store = till_store_open (db_path, &error);
  ck_assert_ptr_null (store);
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_CORRUPT));
}
END_TEST

/* /core/store/schema-too-new */
START_TEST (test_schema_too_new)
{
  g_autoptr (GError) error = NULL;
  TillStore       *store = till_store_open (db_path, &error);
  g_autofree char *sql =
      g_strdup_printf ("PRAGMA user_version = %d", till_store_get_latest_schema_version () + 1);

  ck_assert (till_store_exec (store, sql, &error));
  g_object_unref (store);

  store = till_store_open (db_path, &error);
  ck_assert_ptr_null (store);
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_TOO_NEW));
}
END_TEST

/* /core/store/migration-is-one-transaction: a migration that fails half-way
 * leaves nothing of itself behind. */
START_TEST (test_migration_is_atomic)
{
  g_autoptr (GError) error = NULL;
  sqlite3   *db = NULL;
  TillStore *store;

  /* A till database at version 0 where a table the migration creates late
   * already exists, so CREATE TABLE fails after earlier tables were made. */
  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db,
                                  "PRAGMA application_id = 1330923852;"
                                  "CREATE TABLE outbox (x INTEGER);",
                                  NULL, NULL, NULL),
                    SQLITE_OK);
  sqlite3_close (db);

  store = till_store_open (db_path, &error);
  ck_assert_ptr_null (store);
  ck_assert_ptr_nonnull (error);

  ck_assert_int_eq (sqlite3_open (db_path, &db), SQLITE_OK);
  ck_assert (!table_exists (db, "setting"));
  ck_assert (!table_exists (db, "sale"));
  ck_assert (table_exists (db, "outbox"));
  sqlite3_close (db);
}
END_TEST

/* /core/store/missing-directory */
START_TEST (test_missing_directory)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (scratch, "no", "such", "till.db", NULL);
  g_autoptr (TillStore) store = till_store_open (path, &error);

  ck_assert_ptr_null (store);
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_IO));
}
END_TEST

/* /core/store/counter-monotonic: a number is used once, and a rolled-back
 * transaction does not consume one that was never committed. */
START_TEST (test_counter_monotonic)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);

  ck_assert_int_eq (till_store_next_counter (store, "receipt", &error), 1);
  ck_assert_int_eq (till_store_next_counter (store, "receipt", &error), 2);
  ck_assert_int_eq (till_store_next_counter (store, "other", &error), 1);

  ck_assert (till_store_begin (store, &error));
  ck_assert_int_eq (till_store_next_counter (store, "receipt", &error), 3);
  till_store_rollback (store);
  ck_assert_int_eq (till_store_next_counter (store, "receipt", &error), 3);
  ck_assert_int_eq (till_store_next_counter (store, "receipt", &error), 4);
}
END_TEST

/* /core/store/journal-append-only */
START_TEST (test_journal_append_only)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);

  ck_assert (till_store_exec (store,
                              "INSERT INTO journal (seq, kind, created_us, body, body_sha256, "
                              "prev_hash, entry_hash, sig) VALUES (1, 'x', 0, x'', x'', x'', "
                              "x'', x'')",
                              &error));
  ck_assert (!till_store_exec (store, "UPDATE journal SET kind = 'y'", &error));
  ck_assert_ptr_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  ck_assert (!till_store_exec (store, "DELETE FROM journal", &error));
  ck_assert_int_eq (pragma_int (store, "SELECT count(*) FROM journal"), 1);
}
END_TEST

/* /core/store/transactions */
START_TEST (test_transactions)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);

  ck_assert (!till_store_in_transaction (store));
  ck_assert (till_store_begin (store, &error));
  ck_assert (till_store_in_transaction (store));
  ck_assert (till_store_set_setting (store, "a", "1", &error));
  till_store_rollback (store);
  ck_assert (!till_store_in_transaction (store));
  ck_assert_ptr_null (till_store_get_setting (store, "a"));

  ck_assert (till_store_begin (store, &error));
  ck_assert (till_store_set_setting (store, "a", "2", &error));
  ck_assert (till_store_commit (store, &error));
  {
    g_autofree char *value = till_store_get_setting (store, "a");
    ck_assert_str_eq (value, "2");
  }
}
END_TEST

/* /core/store/constraint-error-code */
START_TEST (test_constraint_error_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);

  ck_assert (!till_store_exec (store,
                               "INSERT INTO product (sku, name, unit, price) "
                               "VALUES ('1', 'x', '个', -5)",
                               &error));
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_CONSTRAINT));
}
END_TEST

/* /core/store/checkpoint-off-the-sale-path: commits never copy the log into the
 * database on their own (SQLite would at 1,000 pages, inside a sale); the till
 * checkpoints when idle. */
START_TEST (test_checkpoint_off_the_sale_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  GStatBuf         st;

  ck_assert (till_store_exec (store, "CREATE TABLE scratch (data BLOB)", &error));
  for (int commit = 0; commit < 15; commit++)
    {
      ck_assert (till_store_begin (store, &error));
      ck_assert (till_store_exec (store,
                                  "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                  "FROM n WHERE i < 100) "
                                  "INSERT INTO scratch SELECT randomblob (4000) FROM n",
                                  &error));
      ck_assert (till_store_commit (store, &error));
    }
  ck_assert_int_gt (till_store_get_wal_pages (store), 1000);

  ck_assert (till_store_checkpoint_if_due (store, &error));
  ck_assert_int_eq (till_store_get_wal_pages (store), 0);
  ck_assert (till_store_checkpoint (store, TRUE, &error));
  ck_assert_int_eq (till_store_get_wal_pages (store), 0);
  ck_assert_int_eq (g_stat (wal_path, &st), 0);
  ck_assert_int_eq (st.st_size, 0);
  ck_assert_int_eq (pragma_int (store, "SELECT count(*) FROM scratch"), 1500);
}
END_TEST

static Suite *
store_suite (void)
{
  Suite *suite = suite_create ("/core/store");
  TCase *tc = tcase_create ("store");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_open_configures_durability);
  tcase_add_test (tc, test_reopen_keeps_data);
  tcase_add_test (tc, test_second_open_is_locked);
  tcase_add_test (tc, test_lock_held_by_another_process);
  tcase_add_test (tc, test_not_a_till_database);
  tcase_add_test (tc, test_garbage_file);
  tcase_add_test (tc, test_schema_too_new);
  tcase_add_test (tc, test_migration_is_atomic);
  tcase_add_test (tc, test_missing_directory);
  tcase_add_test (tc, test_counter_monotonic);
  tcase_add_test (tc, test_journal_append_only);
  tcase_add_test (tc, test_transactions);
  tcase_add_test (tc, test_constraint_error_code);
  tcase_add_test (tc, test_checkpoint_off_the_sale_path);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (store_suite ());
}
