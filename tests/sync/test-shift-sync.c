/* test-shift-sync.c: a till's shifts, cash movements and Z reports reach HQ
 * (issue 10): HQ keeps each once, files each Z under its till and finds it
 * follows the till's previous Z, and a second push of everything doubles
 * nothing; so do its stock documents (issue 11)
 *
 * A real opentill-hq process on loopback (tests/sync/till-sync-test-util)
 * and a real till database, enrolled and synced with the till's own calls;
 * the shifts are opened, closed and the Zs taken through the core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>

#include "till-core.h"
#include "till-sync-test-util.h"
#include "till-test-util.h"

/* A counted drawer holding @amount fen, largest pieces first. */
static TillCashCount
count_for (gint64 amount)
{
  TillCashCount count = { 0 };

  for (int d = 0; d < TILL_N_DENOMINATIONS; d++)
    {
      gint64 value = till_denomination_get_value ((TillDenomination) d);

      count.pieces[d] = amount / value;
      amount %= value;
    }
  ck_assert_msg (amount == 0, "%" PRId64 " fen left that no piece makes", amount);
  return count;
}

/* The cash the open shift's drawer should hold, from its X report. */
static gint64
expected_cash (TillTestTill *till)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShiftReport) x =
      till_shift_x_report (till->store, till->journal, till->cashier, NULL, &error);

  ck_assert_msg (x != NULL, "X report: %s", error ? error->message : "");
  return till_shift_totals_get_expected_cash (&x->totals, x->opening_float);
}

/* Closes the open shift with the drawer counted to the fen. Returns its uuid. */
static char *
close_shift (TillTestTill *till)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillShift) shift = till_shift_get_current (till->store, &error);
  TillCashCount count;

  ck_assert_msg (shift != NULL, "no open shift: %s", error ? error->message : "");
  count = count_for (expected_cash (till));
  ck_assert_msg (
      till_shift_begin_close (till->store, till->journal, till->cashier, NULL, &error) &&
          till_shift_record_count (till->store, till->journal, till->cashier, &count, &error) &&
          till_shift_finish_close (till->store, till->journal, till->cashier, FALSE, NULL, NULL,
                                   &error),
      "close: %s", error ? error->message : "");
  return g_strdup (till_shift_get_uuid (shift));
}

static TillShiftReport *
take_z (TillTestTill *till, TillUser *manager)
{
  g_autoptr (GError) error = NULL;
  TillShiftReport *z = till_shift_z_report (till->store, till->journal, manager, NULL, &error);

  ck_assert_msg (z != NULL, "Z: %s", error ? error->message : "");
  return z;
}

static void
open_shift (TillTestTill *till, gint64 float_fen)
{
  g_autoptr (GError) error = NULL;
  TillCashCount count = count_for (float_fen);
  g_autoptr (TillShift) shift =
      till_shift_open (till->store, till->journal, till->cashier, &count, &error);

  ck_assert_msg (shift != NULL, "open: %s", error ? error->message : "");
}

static gint64
count_kind (TillTestHq *hq, const char *kind, const char *uuid)
{
  g_autoptr (GHashTable) refs = till_test_hq_document_refs (hq, kind);

  if (uuid != NULL)
    return GPOINTER_TO_INT (g_hash_table_lookup (refs, uuid));
  return g_hash_table_size (refs);
}

static HqDbRows *
hq_z_reports (TillTestHq *hq, const char *till_id)
{
  g_autoptr (GError) error = NULL;
  HqDbRows *rows = hq_store_list_z_reports (hq->store, till_id, NULL, &error);

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  return rows;
}

static guint
count_incidents (TillTestHq *hq, const char *kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_store_list_incidents (hq->store, 0, &error);
  guint n = 0;

  ck_assert_ptr_nonnull (rows);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    n += g_strcmp0 (hq_db_rows_get_text (rows, r, 3), kind) == 0;
  return n;
}

/* HQ's row for Z @z_no: its continuity, day sales and grand total. */
static void
assert_hq_z (TillTestHq *hq, const char *till_id, const TillShiftReport *z, guint n_expected)
{
  g_autoptr (HqDbRows) rows = hq_z_reports (hq, till_id);
  guint row = n_expected;

  ck_assert_uint_eq (hq_db_rows_get_n_rows (rows), n_expected);
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    if (hq_db_rows_get_int (rows, r, 2) == z->z_no)
      row = r;
  ck_assert_msg (row < n_expected, "HQ holds no Z %" PRId64, z->z_no);
  ck_assert_str_eq (hq_db_rows_get_text (rows, row, 8), "ok");
  ck_assert_int_eq (hq_db_rows_get_int (rows, row, 5), z->totals.sales.amount);
  ck_assert_int_eq (hq_db_rows_get_int (rows, row, 6), z->totals.returns.amount);
  ck_assert_int_eq (hq_db_rows_get_int (rows, row, 7), z->grand_total);
  ck_assert_int_eq (hq_db_rows_get_int (rows, row, 4), z->closed_us);
}

/* /sync/shift/day-and-z: a day with one shift, sales, a payout approved by
 * a supervisor and a drop, closed and Z'd; then a second day */
START_TEST (test_shift_day_and_z)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *scratch = till_test_make_tmpdir ();
  g_autofree char *hq_dir = g_build_filename (scratch, "hq", NULL);
  g_autofree char *till_dir = g_build_filename (scratch, "till", NULL);
  g_autofree char *token = NULL;
  g_autofree char *payout_uuid = NULL;
  g_autofree char *drop_uuid = NULL;
  g_autofree char *first_shift = NULL;
  g_autofree char *second_shift = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (TillShiftReport) z1 = NULL;
  g_autoptr (TillShiftReport) z2 = NULL;
  TillOverride  approval = { .supervisor_code = "9001",
                             .supervisor_secret = "9999",
                             .reason = "paid-supplier" };
  TillTestHq   *hq;
  TillTestTill *till;

  g_mkdir_with_parents (hq_dir, 0700);
  hq = till_test_hq_new (hq_dir, NULL, &error);
  ck_assert_msg (hq != NULL, "%s", error ? error->message : "");
  ck_assert (hq_store_put_store (hq->store, "S001", "上海徐汇店", NULL, &error));
  ck_assert_msg (till_test_hq_start (hq, 0, &error), "%s", error ? error->message : "");
  token = till_test_hq_token (hq, "S001", 1);
  till = till_test_till_new (till_dir, &error);
  ck_assert_msg (till != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_enroll (till, hq->url, token, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_user_create (till->store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) >
             0);
  manager = till_user_authenticate (till->store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");

  /* Day 1: ¥200.00 float, five sales, ¥5.00 paid out with approval, ¥50.00
   * to the safe; closed counted to the fen; Z 1. */
  open_shift (till, 20000);
  ck_assert_msg (till_test_till_sell (till, 5, 0, &error), "%s", error ? error->message : "");
  payout_uuid = till_shift_move_cash (till->store, till->journal, till->cashier,
                                      TILL_CASH_MOVEMENT_OUT, 500, "送水费", &approval, &error);
  ck_assert_msg (payout_uuid != NULL, "payout: %s", error ? error->message : "");
  drop_uuid = till_shift_move_cash (till->store, till->journal, till->cashier,
                                    TILL_CASH_MOVEMENT_DROP, 5000, "存入保险柜", NULL, &error);
  ck_assert_msg (drop_uuid != NULL, "drop: %s", error ? error->message : "");
  first_shift = close_shift (till);
  z1 = take_z (till, manager);
  ck_assert_int_eq (z1->z_no, 1);
  ck_assert_int_gt (z1->totals.sales.amount, 0);

  ck_assert_msg (till_test_till_drain (till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (till_test_till_pending (till), 0);
  ck_assert_int_eq (count_kind (hq, "shift", first_shift), 1);
  ck_assert_int_eq (count_kind (hq, "cash-movement", payout_uuid), 1);
  ck_assert_int_eq (count_kind (hq, "cash-movement", drop_uuid), 1);
  ck_assert_int_eq (count_kind (hq, "z-report", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "sale", NULL), 5);
  assert_hq_z (hq, till->till_id, z1, 1);

  /* Everything again (as for an HQ restored from a backup): all duplicates,
   * nothing doubled, nothing flagged. */
  ck_assert_int_gt (till_outbox_resend_from (till->store, 1, &error), 0);
  ck_assert_msg (till_test_till_drain (till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (till_test_till_pending (till), 0);
  ck_assert_int_eq (count_kind (hq, "shift", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "cash-movement", NULL), 2);
  ck_assert_int_eq (count_kind (hq, "z-report", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "sale", NULL), 5);
  assert_hq_z (hq, till->till_id, z1, 1);
  ck_assert_uint_eq (count_incidents (hq, "z-continuity"), 0);
  ck_assert_uint_eq (count_incidents (hq, "conflict"), 0);

  /* Day 2: another shift, three sales, Z 2 carries the grand total on. */
  open_shift (till, 10000);
  ck_assert_msg (till_test_till_sell (till, 3, 7, &error), "%s", error ? error->message : "");
  second_shift = close_shift (till);
  z2 = take_z (till, manager);
  ck_assert_int_eq (z2->z_no, 2);
  ck_assert_int_eq (z2->grand_total,
                    z1->grand_total + z2->totals.sales.amount - z2->totals.returns.amount);

  ck_assert_msg (till_test_till_drain (till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (count_kind (hq, "shift", second_shift), 1);
  ck_assert_int_eq (count_kind (hq, "z-report", NULL), 2);
  assert_hq_z (hq, till->till_id, z1, 2);
  assert_hq_z (hq, till->till_id, z2, 2);
  ck_assert_uint_eq (count_incidents (hq, "z-continuity"), 0);
  ck_assert_uint_eq (count_incidents (hq, "rejected"), 0);

  till_test_till_close (till);
  till_test_hq_free (hq);
  till_test_remove_tree (scratch);
}
END_TEST

/* /sync/stock/documents: a purchase order, its goods receipt, an
 * adjustment, a posted stocktake and a transfer each reach HQ once */
START_TEST (test_stock_documents)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *scratch = till_test_make_tmpdir ();
  g_autofree char *hq_dir = g_build_filename (scratch, "hq", NULL);
  g_autofree char *till_dir = g_build_filename (scratch, "till", NULL);
  g_autofree char *token = NULL;
  g_autofree char *order = NULL, *receipt = NULL, *adjustment = NULL, *stocktake = NULL;
  g_autofree char *transfer = NULL;
  g_autoptr (TillUser) manager = NULL;
  TillProductSpec spec = { .sku = "S-100",
                           .name = "康师傅冰红茶 500ml",
                           .unit = "瓶",
                           .price = 350,
                           .cost = 120,
                           .vat_rate = 1300,
                           .active = TRUE };
  TillStockLine   line = { .quantity = 24 * TILL_QUANTITY_ONE, .unit_cost = 120 };
  TillTestHq     *hq;
  TillTestTill   *till;

  g_mkdir_with_parents (hq_dir, 0700);
  hq = till_test_hq_new (hq_dir, NULL, &error);
  ck_assert_msg (hq != NULL, "%s", error ? error->message : "");
  ck_assert (hq_store_put_store (hq->store, "S001", "上海徐汇店", NULL, &error));
  ck_assert_msg (till_test_hq_start (hq, 0, &error), "%s", error ? error->message : "");
  token = till_test_hq_token (hq, "S001", 1);
  till = till_test_till_new (till_dir, &error);
  ck_assert_msg (till != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_enroll (till, hq->url, token, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_user_create (till->store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) >
             0);
  manager = till_user_authenticate (till->store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  line.product_id = till_catalog_add_product (till->catalog, &spec, &error);
  ck_assert_msg (line.product_id > 0, "%s", error ? error->message : "");

  order = till_stock_create_purchase_order (till->store, till->journal, manager, "康师傅", NULL,
                                            &line, 1, NULL, &error);
  ck_assert_msg (order != NULL, "order: %s", error ? error->message : "");
  receipt = till_stock_receive (till->store, till->journal, manager, order, "康师傅", &line, 1,
                                NULL, &error);
  ck_assert_msg (receipt != NULL, "receipt: %s", error ? error->message : "");
  adjustment =
      till_stock_adjust (till->store, till->journal, manager, line.product_id, -TILL_QUANTITY_ONE,
                         TILL_STOCK_REASON_DAMAGE, "破损", NULL, &error);
  ck_assert_msg (adjustment != NULL, "damage: %s", error ? error->message : "");
  stocktake = till_stock_begin_stocktake (till->store, till->journal, manager, 0, &error);
  ck_assert_msg (stocktake != NULL, "stocktake: %s", error ? error->message : "");
  ck_assert (till_stock_count (till->store, stocktake, line.product_id, 20 * TILL_QUANTITY_ONE,
                               FALSE, g_get_real_time (), &error));
  ck_assert_msg (
      till_stock_post_stocktake (till->store, till->journal, manager, stocktake, NULL, &error),
      "post: %s", error ? error->message : "");
  line.quantity = 2 * TILL_QUANTITY_ONE;
  line.unit_cost = -1;
  transfer = till_stock_transfer (till->store, till->journal, manager, TILL_TRANSFER_OUT, "S002",
                                  NULL, &line, 1, NULL, &error);
  ck_assert_msg (transfer != NULL, "transfer: %s", error ? error->message : "");

  ck_assert_msg (till_test_till_drain (till, 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (till_test_till_pending (till), 0);
  ck_assert_int_eq (count_kind (hq, "purchase-order", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "goods-receipt", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "stock-adjustment", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "stocktake", NULL), 1);
  ck_assert_int_eq (count_kind (hq, "stock-transfer", NULL), 1);
  ck_assert_uint_eq (count_incidents (hq, "rejected"), 0);

  till_test_till_close (till);
  till_test_hq_free (hq);
  till_test_remove_tree (scratch);
}
END_TEST

static Suite *
shift_sync_suite (void)
{
  Suite *suite = suite_create ("shift-sync");
  TCase *tc = tcase_create ("shift-sync");

  tcase_set_timeout (tc, 180);
  tcase_add_test (tc, test_shift_day_and_z);
  tcase_add_test (tc, test_stock_documents);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (int argc, char **argv)
{
  int status = till_test_hq_serve_main (argc, argv);

  if (status >= 0)
    return status;
  return till_test_run_suite (shift_sync_suite ());
}
