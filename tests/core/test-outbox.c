/* test-outbox.c: tests for src/core/till-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char      *scratch;
static TillStore *store;

static void
setup (void)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* /core/outbox/append: the row carries the document under its key, the
 * journal link, and the SHA-256 of exactly those payload bytes. */
START_TEST (test_append)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *sha_hex = NULL;
  const char      *expected = "{\"return\":{\"uuid\":\"r-1\"},\"journal_seq\":7,"
                              "\"journal_hash\":\"00ff\"}";

  ck_assert (till_store_begin (store, &error));
  ck_assert_msg (till_outbox_append (store, "return", "return", "r-1", "{\"uuid\":\"r-1\"}", 7,
                                     "00ff", 1234, &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, &error));

  stmt = till_store_prepare (store,
                             "SELECT kind, ref_uuid, payload, payload_sha256, state, created_us "
                             "FROM outbox",
                             &error);
  ck_assert_ptr_nonnull (stmt);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "return");
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 1), "r-1");
  ck_assert_int_eq (sqlite3_column_bytes (stmt, 2), (int) strlen (expected));
  ck_assert (memcmp (sqlite3_column_blob (stmt, 2), expected, strlen (expected)) == 0);
  sha_hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, expected, -1);
  {
    g_autofree char *stored_hex = till_journal_hash_to_hex (sqlite3_column_blob (stmt, 3));
    ck_assert_str_eq (stored_hex, sha_hex);
  }
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 4), "pending");
  ck_assert_int_eq (sqlite3_column_int64 (stmt, 5), 1234);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}
END_TEST

/* /core/outbox/rolled-back: queued in the caller's transaction, so a
 * rollback leaves nothing for HQ. */
START_TEST (test_rolled_back)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  ck_assert (till_store_begin (store, &error));
  ck_assert (till_outbox_append (store, "sale", "sale", "s-1", "{}", 1, "aa", 1, &error));
  till_store_rollback (store);

  stmt = till_store_prepare (store, "SELECT count(*) FROM outbox", &error);
  ck_assert_ptr_nonnull (stmt);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_int_eq (sqlite3_column_int (stmt, 0), 0);
}
END_TEST

static Suite *
outbox_suite (void)
{
  Suite *suite = suite_create ("outbox");
  TCase *tcase = tcase_create ("append");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_append);
  tcase_add_test (tcase, test_rolled_back);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (outbox_suite ());
}
