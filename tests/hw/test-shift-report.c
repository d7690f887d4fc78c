/* test-shift-report.c: tests for src/receipt/till-shift-report.c with reports
 * built by hand from known figures, printed on the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-printer-sim.h"
#include "till-receipt.h"
#include "till-shift-report.h"
#include "till-test-util.h"

typedef struct
{
  char      *dir;
  TillStore *store;
} Shop;

static Shop shop;

static const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
static const guint          paper_dots[] = { 576, 384 };
static const guint          paper_columns[] = { 48, 32 };
static const char *const    paper_names[] = { "80", "58" };

static void
shop_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;

  shop.dir = till_test_make_tmpdir ();
  db = g_build_filename (shop.dir, "till.db", NULL);
  shop.store = till_store_open (db, &error);
  ck_assert_msg (shop.store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (
      till_store_set_setting (shop.store, "store.name", "好邻居便利店（中关村店）", &error), "%s",
      error ? error->message : "");
}

static void
shop_teardown (void)
{
  g_clear_object (&shop.store);
  till_test_remove_tree (shop.dir);
  g_clear_pointer (&shop.dir, g_free);
}

/* 2026-11-23 at @hour:@minute, local time, in µs. */
static gint64
local_us (int hour, int minute)
{
  g_autoptr (GDateTime) time = g_date_time_new_local (2026, 11, 23, hour, minute, 0);

  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static char *
local_text (gint64 us, const char *format)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return g_date_time_format (time, format);
}

static void
set_tally (TillTally *tally, gint64 count, gint64 amount)
{
  tally->count = count;
  tally->amount = amount;
}

static void
add_tender (TillShiftReport *report,
            const char      *method,
            gint64           taken_count,
            gint64           taken,
            gint64           refunded_count,
            gint64           refunded,
            gint64           top_up_count,
            gint64           top_ups)
{
  TillTenderTally *tender = g_new0 (TillTenderTally, 1);

  tender->method = g_strdup (method);
  set_tally (&tender->taken, taken_count, taken);
  set_tally (&tender->refunded, refunded_count, refunded);
  set_tally (&tender->top_ups, top_up_count, top_ups);
  g_ptr_array_add (report->totals.tenders, tender);
}

/* A busy shift: 25 sales of ¥3,456.00 (gross 3,600.00 less 50.00 of
 * discounts, 90.00 of promotions and 4.00 of 抹零), two returns of ¥40.00,
 * cash, WeChat Pay and bank card, two top-ups, cash in, a payout and a drop.
 * Expected cash: 500 + 1456 − 20 + 100 + 50 − 20 − 300 = ¥1,766.00. */
static void
fill_busy_shift (TillShiftReport *report)
{
  TillShiftTotals *totals = &report->totals;

  report->till_id = g_strdup ("T01");
  report->shift_uuid = g_strdup ("0193a1b2-0000-7000-8000-000000000001");
  report->user_code = g_strdup ("1001");
  report->user_name = g_strdup ("王小明");
  report->opened_us = local_us (8, 0);
  report->opening_float = 50000;

  set_tally (&totals->sales, 25, 345600);
  set_tally (&totals->gross, 60, 360000);
  set_tally (&totals->discounts, 3, 5000);
  set_tally (&totals->promotions, 5, 9000);
  set_tally (&totals->rounding, 7, -400);
  set_tally (&totals->returns, 2, 4000);
  set_tally (&totals->voided_lines, 4, 2500);
  set_tally (&totals->voided_sales, 1, 3000);
  set_tally (&totals->no_sales, 2, 0);
  set_tally (&totals->drawer_opens, 30, 0);
  set_tally (&totals->cash_in, 1, 5000);
  set_tally (&totals->cash_out, 1, 2000);
  set_tally (&totals->cash_drops, 1, 30000);
  set_tally (&totals->top_ups, 2, 20000);
  add_tender (report, "cash", 15, 145600, 1, 2000, 1, 10000);
  add_tender (report, "wechat", 8, 150000, 1, 2000, 1, 10000);
  add_tender (report, "card", 2, 50000, 0, 0, 0, 0);
}

static TillShiftReport *
make_x_report (void)
{
  TillShiftReport *report = till_shift_report_new (TILL_SHIFT_REPORT_X);

  fill_busy_shift (report);
  report->created_us = local_us (11, 30);
  return report;
}

/* The busy shift handed over with ¥1,592.00 counted, ¥174.00 short, accepted
 * by a supervisor with a reason. No ¥20, ¥5 or 1 jiao in the drawer. */
static TillShiftReport *
make_handover_report (void)
{
  TillShiftReport *report = till_shift_report_new (TILL_SHIFT_REPORT_CLOSE);
  TillCashCount   *count = &report->count;

  fill_busy_shift (report);
  report->created_us = report->closed_us = local_us (14, 0);
  report->handed_over = 50000;
  count->pieces[TILL_DENOMINATION_NOTE_100] = 12;
  count->pieces[TILL_DENOMINATION_NOTE_50] = 5;
  count->pieces[TILL_DENOMINATION_NOTE_10] = 13;
  count->pieces[TILL_DENOMINATION_NOTE_1] = 7;
  count->pieces[TILL_DENOMINATION_COIN_1] = 3;
  count->pieces[TILL_DENOMINATION_COIN_50_FEN] = 4;
  report->counted = till_cash_count_get_total (count);
  report->expected = till_shift_totals_get_expected_cash (&report->totals, report->opening_float);
  report->variance = report->counted - report->expected;
  report->handover = TRUE;
  report->variance_reason = g_strdup ("找零时多找了一张百元，顾客已离开");
  report->approved_by = g_strdup ("赵经理 (9001)");
  return report;
}

/* A quiet shift, its float counted afresh at ¥480.00 though ¥500.00 was
 * handed over; three cash sales of ¥45.00; counted exactly ¥525.00. */
static TillShiftReport *
make_plain_close_report (void)
{
  TillShiftReport *report = till_shift_report_new (TILL_SHIFT_REPORT_CLOSE);

  report->till_id = g_strdup ("T01");
  report->user_code = g_strdup ("1002");
  report->user_name = g_strdup ("李华");
  report->opened_us = local_us (14, 5);
  report->created_us = report->closed_us = local_us (22, 0);
  report->opening_float = 48000;
  report->handed_over = 50000;
  set_tally (&report->totals.sales, 3, 4500);
  set_tally (&report->totals.gross, 3, 4500);
  add_tender (report, "cash", 3, 4500, 0, 0, 0, 0);
  report->count.pieces[TILL_DENOMINATION_NOTE_100] = 5;
  report->count.pieces[TILL_DENOMINATION_NOTE_10] = 2;
  report->count.pieces[TILL_DENOMINATION_COIN_1] = 5;
  report->counted = till_cash_count_get_total (&report->count);
  report->expected = till_shift_totals_get_expected_cash (&report->totals, report->opening_float);
  report->variance = report->counted - report->expected;
  return report;
}

static void
add_summary (TillShiftReport *report,
             const char      *code,
             const char      *name,
             gint64           opened_us,
             gint64           closed_us,
             gint64           sales,
             gint64           variance)
{
  TillShiftSummary *summary = g_new0 (TillShiftSummary, 1);

  summary->uuid = g_strdup_printf ("shift-%s", code);
  summary->user_code = g_strdup (code);
  summary->user_name = g_strdup (name);
  summary->opened_us = opened_us;
  summary->closed_us = closed_us;
  summary->sales_total = sales;
  summary->expected = 100000;
  summary->counted = 100000 + variance;
  summary->variance = variance;
  g_ptr_array_add (report->shifts, summary);
}

/* Z No. 42: the two shifts above, ¥12.00 sold with no shift open, and the
 * grand totals since the till's first sale. */
static TillShiftReport *
make_z_report (void)
{
  TillShiftReport *report = till_shift_report_new (TILL_SHIFT_REPORT_Z);
  TillShiftTotals *totals = &report->totals;

  report->till_id = g_strdup ("T01");
  report->z_no = 42;
  report->day_uuid = g_strdup ("0193a1b2-0000-7000-8000-0000000000d1");
  report->opened_us = local_us (7, 55);
  report->closed_us = local_us (22, 10);
  report->created_us = local_us (22, 10);
  set_tally (&totals->sales, 29, 351300);
  set_tally (&totals->gross, 64, 365700);
  set_tally (&totals->returns, 2, 4000);
  add_tender (report, "cash", 19, 151300, 1, 2000, 0, 0);
  add_tender (report, "alipay", 10, 200000, 1, 2000, 0, 0);
  add_summary (report, "1001", "王小明", local_us (8, 0), local_us (14, 0), 345600, -17400);
  add_summary (report, "1002", "李华", local_us (14, 5), local_us (22, 0), 4500, 0);
  report->outside_sales = (TillTally){ 3, 1200 };
  report->grand_sales = 9876543200;
  report->grand_returns = 12345600;
  report->grand_total = report->grand_sales - report->grand_returns;
  return report;
}

static TillPrinterSim *
print (GBytes *bytes, guint width)
{
  TillPrinterSim *sim = till_printer_sim_new (width);

  till_printer_sim_feed (sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  till_printer_sim_end_of_stream (sim);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_unsupported_chars (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (sim), 0);
  return sim;
}

static TillPrinterSim *
print_report (const TillShiftReport *report, guint paper)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[paper]);
  g_autoptr (GBytes) bytes = till_shift_report_encode (report, shop.store, profile);

  ck_assert_ptr_nonnull (bytes);
  return print (bytes, paper_dots[paper]);
}

static char *
joined_text (TillPrinterSim *sim)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);
  GString         *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (text, g_ptr_array_index (lines, i));
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* The index of the first line from @from on that starts with @prefix, or -1. */
static int
find_index (TillPrinterSim *sim, int from, const char *prefix)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  for (guint i = (guint) MAX (from, 0); i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
      return (int) i;
  return -1;
}

/* The row labelled @label after the line starting with @after (NULL: from the
 * top). A label too long for its figures has a line of its own and the
 * figures under it: the row is then that next line. */
static const char *
row_after (TillPrinterSim *sim, const char *after, const char *label)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);
  g_autofree char *clean = till_escpos_sanitize (label, TILL_CHARSET_GBK);
  int              start = 0;
  g_autofree char *trimmed = NULL;
  int              at;
  const char      *line;

  if (after != NULL)
    {
      g_autofree char *clean_after = till_escpos_sanitize (after, TILL_CHARSET_GBK);

      start = find_index (sim, 0, clean_after);
      ck_assert_msg (start >= 0, "no line %s", clean_after);
    }
  at = find_index (sim, start, clean);
  ck_assert_msg (at >= 0, "no row %s after %s", clean, after != NULL ? after : "the top");
  line = g_ptr_array_index (lines, at);
  trimmed = g_strchomp (g_strdup (line));
  if (g_str_equal (trimmed, clean) && (guint) at + 1 < lines->len)
    return g_ptr_array_index (lines, at + 1);
  return line;
}

/* The index of the first line that contains @text (centred lines start with
 * spaces), or -1. */
static int
find_containing (TillPrinterSim *sim, const char *text)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), text) != NULL)
      return (int) i;
  return -1;
}

/* Asserts the row ends with @count and @amount in their columns (@count NULL:
 * none). */
static void
check_row (TillPrinterSim *sim,
           guint           paper,
           const char     *after,
           const char     *label,
           const char     *count,
           const char     *amount)
{
  const char *line = row_after (sim, after, label);
  g_auto (GStrv) words = g_strsplit_set (line, " ", -1);
  guint            n = g_strv_length (words);
  guint            amount_cells = paper_columns[paper] == 48 ? 12 : 10;
  g_autofree char *tail = NULL;

  /* Amounts flush right: every figure ends at the paper's edge. */
  ck_assert_msg (g_str_has_suffix (line, amount), "%s: want %s in \"%s\"", label, amount, line);
  ck_assert_uint_eq (till_escpos_text_width (line), paper_columns[paper]);
  ck_assert_uint_ge (n, 2);
  if (count == NULL)
    return;
  /* The count right-aligned in its own column, one space before the amount's. */
  tail = g_strdup_printf ("%s %*s", count, (int) amount_cells, amount);
  ck_assert_msg (g_str_has_suffix (line, tail), "%s: want count %s in \"%s\"", label, count, line);
}

/* Asserts the row's count stands in the count column, the amount's blank. */
static void
check_count_row (TillPrinterSim *sim, guint paper, const char *label, const char *count)
{
  g_autofree char *line = g_strdup (row_after (sim, NULL, label));
  guint            amount_cells = paper_columns[paper] == 48 ? 12 : 10;
  g_autofree char *tail = g_strdup_printf ("%s %*s", count, (int) amount_cells, "");

  ck_assert_msg (g_str_has_suffix (line, tail), "%s: want count %s in \"%s\"", label, count, line);
  ck_assert_uint_eq (till_escpos_text_width (line), paper_columns[paper]);
}

/* Asserts the count lists @denomination with @pieces and @amount. */
static void
check_denomination_row (TillPrinterSim  *sim,
                        guint            paper,
                        TillDenomination denomination,
                        const char      *pieces,
                        const char      *amount)
{
  g_autofree char *label = g_strconcat ("  ", till_denomination_get_label (denomination), NULL);

  check_row (sim, paper, "Cash count", label, pieces, amount);
}

static void
check_fits (TillPrinterSim *sim, guint paper)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 0);
  for (guint i = 0; i < lines->len; i++)
    ck_assert_msg (till_escpos_text_width (g_ptr_array_index (lines, i)) <= paper_columns[paper],
                   "too wide for %u columns: %s", paper_columns[paper],
                   (const char *) g_ptr_array_index (lines, i));
}

static void
save_png (TillPrinterSim *sim, const char *kind, guint paper)
{
  g_autofree char *name = g_strdup_printf ("shift-%s-%s.png", kind, paper_names[paper]);
  g_autofree char *path = till_test_output_path ("receipts", name);
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_printer_sim_render_png (sim, 0, path, &error), "%s",
                 error ? error->message : "");
}

static gboolean
contains (const char *text, const char *utf8)
{
  g_autofree char *clean = till_escpos_sanitize (utf8, TILL_CHARSET_GBK);

  return strstr (text, clean) != NULL;
}

/* The figures every X and close report of the busy shift carries. */
static void
check_busy_shift_figures (TillPrinterSim *sim, guint paper, const TillShiftReport *report)
{
  g_autofree char *expected =
      till_money_format (till_shift_totals_get_expected_cash (&report->totals, 50000));

  check_row (sim, paper, NULL, "  Gross (lines)", "60", "3600.00");
  check_row (sim, paper, NULL, "  Discounts", "3", "-50.00");
  check_row (sim, paper, NULL, "  Promotions", "5", "-90.00");
  check_row (sim, paper, NULL, "  Rounding", "7", "-4.00");
  check_row (sim, paper, "  Rounding", "Sales", "25", "3456.00");
  check_row (sim, paper, NULL, "  Average sale", NULL, "138.24");
  check_row (sim, paper, NULL, "Returns", "2", "-40.00");
  check_row (sim, paper, NULL, "Net sales", NULL, "3416.00");
  check_row (sim, paper, NULL, "Voided lines", "4", "25.00");
  check_row (sim, paper, NULL, "Voided sales", "1", "30.00");
  check_count_row (sim, paper, "No-sales", "2");
  check_count_row (sim, paper, "Drawer openings", "30");

  /* Three tenders, each taken, refunded (when it was) and net. */
  check_row (sim, paper, "Tenders", "  Taken", "15", "1456.00");
  check_row (sim, paper, "Tenders", "  Refunded", "1", "-20.00");
  check_row (sim, paper, "Tenders", "  Net", NULL, "1436.00");
  check_row (sim, paper, "WeChat Pay", "  Taken", "8", "1500.00");
  check_row (sim, paper, "WeChat Pay", "  Refunded", "1", "-20.00");
  check_row (sim, paper, "WeChat Pay", "  Net", NULL, "1480.00");
  check_row (sim, paper, "Bank card", "  Taken", "2", "500.00");
  check_row (sim, paper, "Bank card", "  Net", NULL, "500.00");
  /* The card, the last tender, refunded nothing: no row after it says it did. */
  ck_assert_int_lt (find_index (sim, find_index (sim, 0, "Bank card"), "  Refunded"), 0);

  /* Top-ups: the total and each method's share. */
  check_row (sim, paper, NULL, "Top-ups", "2", "200.00");
  check_row (sim, paper, "Top-ups", "  Cash", "1", "100.00");
  check_row (sim, paper, "Top-ups", "  WeChat Pay", "1", "100.00");

  /* The cash, from the float to the expected cash, each signed as it counts. */
  check_row (sim, paper, NULL, "Opening float", NULL, "500.00");
  check_row (sim, paper, NULL, "Cash sales", NULL, "1456.00");
  check_row (sim, paper, NULL, "Cash refunds", NULL, "-20.00");
  check_row (sim, paper, NULL, "Cash top-ups", NULL, "100.00");
  check_row (sim, paper, NULL, "Cash in", NULL, "50.00");
  check_row (sim, paper, NULL, "Payouts", NULL, "-20.00");
  check_row (sim, paper, NULL, "Drops to safe", NULL, "-300.00");
  check_row (sim, paper, NULL, "Expected cash", NULL, expected);
  ck_assert_str_eq (expected, "1766.00");
}

/* /hw/shift-report/x */

START_TEST (test_x_report)
{
  g_autoptr (TillShiftReport) report = make_x_report ();
  g_autofree char *opened = local_text (report->opened_us, "%Y-%m-%d %H:%M:%S");
  g_autofree char *taken = local_text (report->created_us, "%Y-%m-%d %H:%M:%S");

  for (guint paper = 0; paper < G_N_ELEMENTS (papers); paper++)
    {
      g_autoptr (TillPrinterSim) sim = print_report (report, paper);
      g_autofree char *text = joined_text (sim);

      ck_assert_msg (contains (text, "X report"), "%s", text);
      ck_assert (contains (text, "好邻居便利店"));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Till"), "T01"));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Cashier"), "王小明 (1001)"));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Opened"), opened));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Taken at"), taken));
      check_busy_shift_figures (sim, paper, report);
      /* An X report counts nothing and nobody signs it. */
      ck_assert (!contains (text, "Cash count"));
      ck_assert (!contains (text, "Variance"));
      ck_assert (!contains (text, "signature"));
      ck_assert (!contains (text, "Handed over"));
      ck_assert (!contains (text, "Grand totals"));
      check_fits (sim, paper);
      save_png (sim, "x", paper);
    }
}
END_TEST

/* NULL profile: an 80 mm printer. */
START_TEST (test_default_profile)
{
  g_autoptr (TillShiftReport) report = make_x_report ();
  g_autoptr (GBytes) bytes = till_shift_report_encode (report, shop.store, NULL);
  g_autoptr (TillPrinterSim) sim = print (bytes, 576);
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  check_fits (sim, 0);
  ck_assert_uint_eq (till_escpos_text_width (row_after (sim, NULL, "Expected cash")), 48);
  ck_assert_uint_gt (lines->len, 40);
}
END_TEST

/* /hw/shift-report/close */

START_TEST (test_handover_report)
{
  g_autoptr (TillShiftReport) report = make_handover_report ();
  g_autofree char *closed = local_text (report->closed_us, "%Y-%m-%d %H:%M:%S");

  ck_assert_int_eq (report->counted, 159200);
  ck_assert_int_eq (report->variance, -17400);
  for (guint paper = 0; paper < G_N_ELEMENTS (papers); paper++)
    {
      g_autoptr (TillPrinterSim) sim = print_report (report, paper);
      g_autofree char *text = joined_text (sim);
      int              reason_at;

      ck_assert_msg (contains (text, "Shift handover"), "%s", text);
      ck_assert (!contains (text, "Shift close"));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Closed"), closed));
      check_busy_shift_figures (sim, paper, report);
      /* The float was accepted as handed over: no difference to show. */
      check_row (sim, paper, NULL, "  Handed over", NULL, "500.00");
      ck_assert (!contains (text, "Difference"));

      /* The count: the denominations there were, none of those there were not. */
      check_denomination_row (sim, paper, TILL_DENOMINATION_NOTE_100, "12", "1200.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_NOTE_50, "5", "250.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_NOTE_10, "13", "130.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_NOTE_1, "7", "7.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_COIN_1, "3", "3.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_COIN_50_FEN, "4", "2.00");
      ck_assert (!contains (text, till_denomination_get_label (TILL_DENOMINATION_NOTE_20)));
      ck_assert (!contains (text, till_denomination_get_label (TILL_DENOMINATION_NOTE_5)));
      ck_assert (!contains (text, till_denomination_get_label (TILL_DENOMINATION_COIN_10_FEN)));
      check_row (sim, paper, NULL, "Counted", NULL, "1592.00");
      check_row (sim, paper, NULL, "Variance", NULL, "-174.00 short");
      /* Expected and counted agree with the report: no second expected. */
      ck_assert (!contains (text, "Expected at the count"));

      /* The reason, whole (wrapped on 58 mm), and who accepted it. */
      reason_at = find_index (sim, 0, "Reason: ");
      ck_assert_int_ge (reason_at, 0);
      ck_assert (contains (text, "找零时多找了"));
      ck_assert (contains (text, "顾客已离开"));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Approved by"), "赵经理 (9001)"));
      check_row (sim, paper, NULL, "Handed to next cashier", NULL, "1592.00");

      /* Both sign, below everything else. */
      ck_assert_int_gt (find_index (sim, 0, "Cashier signature:"), reason_at);
      ck_assert_int_gt (find_index (sim, 0, "Supervisor signature:"),
                        find_index (sim, 0, "Cashier signature:"));
      check_fits (sim, paper);
      save_png (sim, "handover", paper);
    }
}
END_TEST

START_TEST (test_plain_close_report)
{
  g_autoptr (TillShiftReport) report = make_plain_close_report ();

  ck_assert_int_eq (report->counted, 52500);
  ck_assert_int_eq (report->variance, 0);
  for (guint paper = 0; paper < G_N_ELEMENTS (papers); paper++)
    {
      g_autoptr (TillPrinterSim) sim = print_report (report, paper);
      g_autofree char *text = joined_text (sim);
      g_autofree char *expected =
          till_money_format (till_shift_totals_get_expected_cash (&report->totals, 48000));

      ck_assert_msg (contains (text, "Shift close"), "%s", text);
      ck_assert (!contains (text, "Shift handover"));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "Cashier"), "李华 (1002)"));
      /* Counted afresh: what was handed over and how far the new count is off. */
      check_row (sim, paper, NULL, "Opening float", NULL, "480.00");
      check_row (sim, paper, NULL, "  Handed over", NULL, "500.00");
      check_row (sim, paper, NULL, "  Difference", NULL, "-20.00");
      check_row (sim, paper, NULL, "Cash sales", NULL, "45.00");
      check_row (sim, paper, NULL, "Expected cash", NULL, expected);
      ck_assert_str_eq (expected, "525.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_NOTE_100, "5", "500.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_NOTE_10, "2", "20.00");
      check_denomination_row (sim, paper, TILL_DENOMINATION_COIN_1, "5", "5.00");
      ck_assert (!contains (text, till_denomination_get_label (TILL_DENOMINATION_NOTE_50)));
      check_row (sim, paper, NULL, "Counted", NULL, "525.00");
      check_row (sim, paper, NULL, "Variance", NULL, "0.00");
      ck_assert_ptr_null (strstr (row_after (sim, NULL, "Variance"), "over"));
      ck_assert_ptr_null (strstr (row_after (sim, NULL, "Variance"), "short"));
      ck_assert (!contains (text, "Reason"));
      ck_assert (!contains (text, "Approved by"));
      ck_assert (!contains (text, "Handed to next cashier"));
      /* A tender that refunded nothing has no refund row. */
      ck_assert_int_lt (find_index (sim, 0, "  Refunded"), 0);
      ck_assert_int_ge (find_index (sim, 0, "Supervisor signature:"), 0);
      check_fits (sim, paper);
      save_png (sim, "close", paper);
    }
}
END_TEST

/* /hw/shift-report/z */

START_TEST (test_z_report)
{
  g_autoptr (TillShiftReport) report = make_z_report ();
  g_autofree char *from = local_text (report->opened_us, "%Y-%m-%d %H:%M:%S");
  g_autofree char *to = local_text (report->closed_us, "%Y-%m-%d %H:%M:%S");

  for (guint paper = 0; paper < G_N_ELEMENTS (papers); paper++)
    {
      g_autoptr (TillPrinterSim) sim = print_report (report, paper);
      g_autofree char *text = joined_text (sim);
      g_autofree char *opened = local_text (local_us (8, 0), "%m-%d %H:%M");
      g_autofree char *closed = local_text (local_us (14, 0), "%m-%d %H:%M");
      g_autofree char *times = g_strdup_printf ("  %s - %s", opened, closed);
      int              grand_at;

      ck_assert_msg (contains (text, "Z report No. 42"), "%s", text);
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "From"), from));
      ck_assert (g_str_has_suffix (row_after (sim, NULL, "To"), to));
      /* A day has no one cashier, float or count. */
      ck_assert (!contains (text, "Cashier"));
      ck_assert (!contains (text, "Opening float"));
      ck_assert (!contains (text, "Cash count"));
      check_row (sim, paper, "  Rounding", "Sales", "29", "3513.00");
      check_row (sim, paper, NULL, "Net sales", NULL, "3473.00");
      check_row (sim, paper, "Alipay", "  Taken", "10", "2000.00");
      check_row (sim, paper, NULL, "Net cash", NULL, "1493.00");

      /* One block per shift: who, when, sales, variance. */
      ck_assert_int_ge (find_index (sim, 0, "王小明 (1001)"), 0);
      ck_assert_int_ge (find_index (sim, 0, times), 0);
      check_row (sim, paper, "王小明 (1001)", "  Sales", NULL, "3456.00");
      check_row (sim, paper, "王小明 (1001)", "  Variance", NULL, "-174.00 short");
      check_row (sim, paper, "李华 (1002)", "  Sales", NULL, "45.00");
      check_row (sim, paper, "李华 (1002)", "  Variance", NULL, "0.00");
      check_row (sim, paper, NULL, "Sales outside any shift", "3", "12.00");
      check_row (sim, paper, NULL, "Total variance", NULL, "-174.00 short");

      /* The grand totals, under a heading that says they never reset. */
      grand_at = find_containing (sim, "Grand totals (never reset)");
      ck_assert_int_ge (grand_at, 0);
      ck_assert_int_gt (find_index (sim, grand_at, "Z No."), grand_at);
      ck_assert (g_str_has_suffix (row_after (sim, "Z No.", "Z No."), "42"));
      check_row (sim, paper, "Z No.", "Sales", NULL, "98765432.00");
      check_row (sim, paper, "Z No.", "Returns", NULL, "-123456.00");
      check_row (sim, paper, "Z No.", "Net", NULL, "98641976.00");
      check_fits (sim, paper);
      save_png (sim, "z", paper);
    }
}
END_TEST

/* A Z with every sale in a shift says nothing of sales outside one. */
START_TEST (test_z_without_outside_sales)
{
  g_autoptr (TillShiftReport) report = make_z_report ();
  g_autoptr (TillPrinterSim) sim = NULL;
  g_autofree char *text = NULL;

  report->outside_sales = (TillTally){ 0, 0 };
  sim = print_report (report, 1);
  text = joined_text (sim);
  ck_assert (!contains (text, "Sales outside any shift"));
  ck_assert (contains (text, "Z report No. 42"));
  check_fits (sim, 1);
}
END_TEST

static Suite *
shift_report_suite (void)
{
  Suite *suite = suite_create ("/hw/shift-report");
  TCase *x = tcase_create ("/hw/shift-report/x");
  TCase *close = tcase_create ("/hw/shift-report/close");
  TCase *z = tcase_create ("/hw/shift-report/z");

  tcase_add_checked_fixture (x, shop_setup, shop_teardown);
  tcase_add_test (x, test_x_report);
  tcase_add_test (x, test_default_profile);
  suite_add_tcase (suite, x);

  tcase_add_checked_fixture (close, shop_setup, shop_teardown);
  tcase_add_test (close, test_handover_report);
  tcase_add_test (close, test_plain_close_report);
  suite_add_tcase (suite, close);

  tcase_add_checked_fixture (z, shop_setup, shop_teardown);
  tcase_add_test (z, test_z_report);
  tcase_add_test (z, test_z_without_outside_sales);
  suite_add_tcase (suite, z);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (shift_report_suite ());
}
