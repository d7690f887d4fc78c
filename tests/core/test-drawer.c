/* test-drawer.c: tests for src/core/till-drawer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;
static TillUser    *cashier;
static TillUser    *supervisor;

static const TillOverride approval = {
  .supervisor_code = "2001",
  .supervisor_secret = "5678",
  .badge = FALSE,
  .reason = "change-for-customer",
};

static TillUser *
sign_in (const char *code, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user = till_user_authenticate (store, code, pin, &error);

  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "2001", "李主管", TILL_ROLE_SUPERVISOR, "5678", &error) > 0);
  cashier = sign_in ("1001", "1234");
  supervisor = sign_in ("2001", "5678");
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&supervisor);
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* /core/drawer/record-open: each opening is a row with its reason, sale and
 * cashier, listed oldest first. */
START_TEST (test_record_open)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GPtrArray) later = NULL;
  gint64 before = g_get_real_time ();
  gint64 first, second;

  first = till_drawer_record_open (store, TILL_DRAWER_REASON_NO_SALE, NULL, "2001", &error);
  ck_assert_msg (first > 0, "%s", error ? error->message : "");
  second = till_drawer_record_open (store, TILL_DRAWER_REASON_TEST, "ref-1", NULL, &error);
  ck_assert_int_gt (second, first);
  ck_assert (!till_store_in_transaction (store));

  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 2);
  {
    TillDrawerEvent *event = events->pdata[0];

    ck_assert_int_eq (event->id, first);
    ck_assert_int_eq (event->reason, TILL_DRAWER_REASON_NO_SALE);
    ck_assert_ptr_null (event->ref_uuid);
    ck_assert_str_eq (event->user_code, "2001");
    ck_assert_int_ge (event->created_us, before);
  }
  {
    TillDrawerEvent *event = events->pdata[1];

    ck_assert_int_eq (event->reason, TILL_DRAWER_REASON_TEST);
    ck_assert_str_eq (event->ref_uuid, "ref-1");
    ck_assert_ptr_null (event->user_code);
  }
  ck_assert_str_eq (till_drawer_reason_to_string (TILL_DRAWER_REASON_NO_SALE), "no-sale");

  later = till_drawer_list_events (store, g_get_real_time () + 1000000, &error);
  ck_assert_uint_eq (later->len, 0);
}
END_TEST

/* /core/drawer/in-transaction: inside the caller's transaction the event goes
 * with it, and is gone when the caller rolls back. */
START_TEST (test_in_transaction)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;

  ck_assert (till_store_begin (store, &error));
  ck_assert (till_drawer_record_open (store, TILL_DRAWER_REASON_SALE, "s-1", "1001", &error) > 0);
  ck_assert (till_store_in_transaction (store));
  till_store_rollback (store);
  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 0);
}
END_TEST

/* Says which error came instead, when another did. */
#define ck_assert_error(error, domain, code)                                                \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected error %d, got: %s", \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static gint64
count_rows (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The body of the newest journal entry of @kind, or NULL. */
static char *
last_journal_body (const char *kind)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT CAST (body AS TEXT) FROM journal WHERE kind = ? "
                                        "ORDER BY seq DESC LIMIT 1",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* /core/drawer/reason-names: every reason has its stored name, "refund" too,
 * and a refund opening reads back as one. */
START_TEST (test_reason_names)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;

  ck_assert_str_eq (till_drawer_reason_to_string (TILL_DRAWER_REASON_SALE), "sale");
  ck_assert_str_eq (till_drawer_reason_to_string (TILL_DRAWER_REASON_TEST), "test");
  ck_assert_str_eq (till_drawer_reason_to_string (TILL_DRAWER_REASON_REFUND), "refund");
  ck_assert (till_drawer_record_open (store, TILL_DRAWER_REASON_REFUND, "r-1", "1001", &error) > 0);
  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_int_eq (((TillDrawerEvent *) events->pdata[0])->reason, TILL_DRAWER_REASON_REFUND);
}
END_TEST

/* /core/drawer/no-sale-permitted: a supervisor opens the drawer without a sale:
 * one drawer_event and one signed "no-sale" entry naming them and the reason. */
START_TEST (test_no_sale_permitted)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *body = NULL;
  gint64           bad_seq = 0;
  gint64           id;

  id =
      till_drawer_open_no_sale (store, journal, supervisor, "  change-for-customer ", NULL, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  ck_assert (!till_store_in_transaction (store));

  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_int_eq (((TillDrawerEvent *) events->pdata[0])->id, id);
  ck_assert_int_eq (((TillDrawerEvent *) events->pdata[0])->reason, TILL_DRAWER_REASON_NO_SALE);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->user_code, "2001");
  ck_assert_ptr_null (((TillDrawerEvent *) events->pdata[0])->ref_uuid);

  body = last_journal_body ("no-sale");
  ck_assert_ptr_nonnull (body);
  ck_assert_msg (strstr (body, "\"user_code\":\"2001\"") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"reason\":\"change-for-customer\"") != NULL, "%s", body);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'override'"), 0);
  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s",
                 error ? error->message : "");
}
END_TEST

/* /core/drawer/no-sale-denied: a cashier may not; nothing is recorded. */
START_TEST (test_no_sale_denied)
{
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (
      till_drawer_open_no_sale (store, journal, cashier, "change-for-customer", NULL, &error), 0);
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  ck_assert (!till_store_in_transaction (store));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal"), 0);
}
END_TEST

/* /core/drawer/no-sale-override: a cashier with a supervisor's approval: the
 * opening is the cashier's, the override is journaled beside it; a wrong PIN
 * records nothing. */
START_TEST (test_no_sale_override)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autofree char *body = NULL;
  TillOverride     wrong = approval;
  gint64           id;

  wrong.supervisor_secret = "0000";
  ck_assert_int_eq (
      till_drawer_open_no_sale (store, journal, cashier, "change-for-customer", &wrong, &error), 0);
  ck_assert_error (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE);
  g_clear_error (&error);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 0);

  id = till_drawer_open_no_sale (store, journal, cashier, "change-for-customer", &approval, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  events = till_drawer_list_events (store, 0, &error);
  ck_assert_uint_eq (events->len, 1);
  ck_assert_str_eq (((TillDrawerEvent *) events->pdata[0])->user_code, "1001");
  body = last_journal_body ("no-sale");
  ck_assert_msg (strstr (body, "\"user_code\":\"1001\"") != NULL, "%s", body);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal WHERE kind = 'override' AND "
                                "instr (CAST (body AS TEXT), '2001') > 0"),
                    1);
}
END_TEST

/* /core/drawer/no-sale-reason: without a reason nothing is asked or recorded. */
START_TEST (test_no_sale_reason)
{
  const char *const blanks[] = { NULL, "", "   " };

  for (guint i = 0; i < G_N_ELEMENTS (blanks); i++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert_int_eq (
          till_drawer_open_no_sale (store, journal, supervisor, blanks[i], &approval, &error), 0);
      ck_assert_error (error, TILL_DRAWER_ERROR, TILL_DRAWER_ERROR_REASON);
    }
  ck_assert (!till_store_in_transaction (store));
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM drawer_event"), 0);
  ck_assert_int_eq (count_rows ("SELECT count(*) FROM journal"), 0);
}
END_TEST

static Suite *
drawer_suite (void)
{
  Suite *suite = suite_create ("/core/drawer");
  TCase *tcase = tcase_create ("/core/drawer");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_record_open);
  tcase_add_test (tcase, test_in_transaction);
  tcase_add_test (tcase, test_reason_names);
  tcase_add_test (tcase, test_no_sale_permitted);
  tcase_add_test (tcase, test_no_sale_denied);
  tcase_add_test (tcase, test_no_sale_override);
  tcase_add_test (tcase, test_no_sale_reason);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (drawer_suite ());
}
