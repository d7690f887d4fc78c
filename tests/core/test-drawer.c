/* test-drawer.c: tests for src/core/till-drawer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

static char      *scratch;
static TillStore *store;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
}

static void
teardown (void)
{
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

static Suite *
drawer_suite (void)
{
  Suite *suite = suite_create ("/core/drawer");
  TCase *tcase = tcase_create ("/core/drawer");

  tcase_add_checked_fixture (tcase, setup, teardown);
  tcase_add_test (tcase, test_record_open);
  tcase_add_test (tcase, test_in_transaction);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (drawer_suite ());
}
