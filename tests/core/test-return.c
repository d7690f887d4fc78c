/* test-return.c: tests for src/core/till-return.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;    /* 1001: returns with a receipt up to her limit */
static TillUser    *supervisor; /* 2001: ¥500 refunds, no-receipt returns */
static TillUser    *manager;    /* 9001: no limits */

static gint64 cola_id;  /* ¥3.50 */
static gint64 odd_id;   /* ¥3.33: shares that do not divide evenly */
static gint64 chips_id; /* ¥12.80 */
static gint64 apple_id; /* ¥5.98/kg, weighed */

static char *wallet_attempt; /* the out_trade_no of the last mixed sale's WeChat payment */

static const TillOverride supervisor_ok = { "2001", "2222", FALSE, "customer-changed-mind" };

static gint64
add_product (const char *sku, const char *name, const char *unit, gint64 price, gboolean weighed)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = unit,
    .price = price,
    .cost = price / 2,
    .vat_rate = weighed ? 900 : 1300,
    .weighed = weighed,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  return id;
}

static TillUser *
make_user (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  ck_assert_msg (till_user_create (store, code, name, role, pin, &error) > 0, "%s",
                 error ? error->message : "");
  user = till_user_authenticate (store, code, pin, &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
open_store (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
}

static void
close_store (void)
{
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  open_store ();

  cola_id = add_product ("C001", "可口可乐 330ml", "罐", 350, FALSE);
  odd_id = add_product ("X001", "测试商品", "个", 333, FALSE);
  chips_id = add_product ("C002", "乐事薯片 原味 70g", "袋", 1280, FALSE);
  apple_id = add_product ("F001", "红富士苹果", "kg", 598, TRUE);

  cashier = make_user ("1001", "王小丽", TILL_ROLE_CASHIER, "1234");
  supervisor = make_user ("2001", "张主管", TILL_ROLE_SUPERVISOR, "2222");
  manager = make_user ("9001", "李经理", TILL_ROLE_MANAGER, "9999");
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&supervisor);
  g_clear_object (&manager);
  close_store ();
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
  g_clear_pointer (&wallet_attempt, g_free);
}

static TillProduct *
product (gint64 id)
{
  g_autoptr (GError) error = NULL;
  TillProduct *found = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  return found;
}

static void
add (gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) found = product (id);

  ck_assert_msg (till_cart_add_product (cart, found, quantity, &error) != NULL, "%s",
                 error ? error->message : "");
}

static TillSale *
sell (void)
{
  g_autoptr (GError) error = NULL;
  TillSale *sale =
      till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart), &error);

  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

static gint64
query_int (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s", sql);
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
query_text (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s", sql);
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
exec (const char *sql)
{
  char *message = NULL;

  ck_assert_msg (sqlite3_exec (till_store_get_db (store), sql, NULL, NULL, &message) == SQLITE_OK,
                 "%s: %s", sql, message ? message : "");
}

static void
set_setting (const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_set_setting (store, key, value, &error), "%s",
                 error ? error->message : "");
}

static gint64
count_rows (const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

  return query_int (sql, NULL);
}

/* Everything a return writes, to check that a refused one wrote nothing. */
static gint64
written_rows (void)
{
  return count_rows ("sale_return") + count_rows ("sale_return_line") +
         count_rows ("refund_payment") + count_rows ("journal") + count_rows ("outbox") +
         count_rows ("stock_move") + count_rows ("sale") + count_rows ("payment");
}

static TillReturn *
new_return (TillSale *sale)
{
  g_autoptr (GError) error = NULL;
  TillReturn *draft = till_return_new_with_receipt (store, sale, &error);

  ck_assert_msg (draft != NULL, "%s", error ? error->message : "");
  return draft;
}

static void
pick (TillReturn *draft, guint index, gint64 quantity)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_return_set_quantity (draft, index, quantity, &error), "%s",
                 error ? error->message : "");
}

static void
commit (TillReturn *draft, TillUser *user, const TillOverride *override)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_return_commit (draft, journal, user, override, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_return_is_committed (draft));
}

static void
assert_journal_verifies (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = 0;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "entry %" G_GINT64_FORMAT ": %s",
                 bad_seq, error ? error->message : "");
}

/* Sums what the recorded returns of @sale refunded per sale line. */
static void
sum_returned (TillSale *sale,
              gint64   *amounts,
              gint64   *line_discounts,
              gint64   *sale_discounts,
              gint64   *refund_total)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) returns =
      till_return_list_for_sale (store, till_sale_get_uuid (sale), &error);

  ck_assert_msg (returns != NULL, "%s", error ? error->message : "");
  *refund_total = 0;
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    amounts[i] = line_discounts[i] = sale_discounts[i] = 0;
  for (guint r = 0; r < returns->len; r++)
    {
      TillReturn *recorded = g_ptr_array_index (returns, r);

      *refund_total += till_return_get_refund_total (recorded);
      for (guint i = 0; i < till_return_get_n_lines (recorded); i++)
        {
          const TillReturnLine *line = till_return_get_line (recorded, i);

          amounts[line->sale_line_no - 1] += line->amount;
          line_discounts[line->sale_line_no - 1] += line->line_discount;
          sale_discounts[line->sale_line_no - 1] += line->sale_discount;
        }
    }
}

/* /core/return/find/qr: the QR's till id, receipt number and hash find the sale */
START_TEST (test_find_qr)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) found = NULL;
  g_autoptr (TillSale) upper = NULL;
  g_autoptr (GError) error = NULL;
  char hash16[17];

  add (cola_id, 2000);
  sale = sell ();
  memcpy (hash16, till_sale_get_journal_hash (sale), 16);
  hash16[16] = '\0';

  found = till_return_find_sale (store, "T01", till_sale_get_receipt_no (sale), hash16, &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (found), till_sale_get_uuid (sale));
  ck_assert_int_eq (till_sale_get_total (found), 700);

  /* Hex digits in either case, and the hash may be left out. */
  for (char *p = hash16; *p != '\0'; p++)
    *p = g_ascii_toupper (*p);
  upper = till_return_find_sale (store, "T01", till_sale_get_receipt_no (sale), hash16, &error);
  ck_assert_msg (upper != NULL, "%s", error ? error->message : "");
  g_clear_object (&found);
  found = till_return_find_sale (store, "T01", till_sale_get_receipt_no (sale), NULL, &error);
  ck_assert_ptr_nonnull (found);
}
END_TEST

/* /core/return/find/number: "T01-00000042", "00000042" and "42" */
START_TEST (test_find_number)
{
  const char *forms[] = { "T01-00000002", "00000002", "2", " 2 ", "t01-2" };
  const char *malformed[] = { "", "abc", "T01-", "-2", "2x", "0", "T01-00-2x" };
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;

  add (cola_id, 1000);
  first = sell ();
  add (chips_id, 1000);
  second = sell ();
  ck_assert_int_eq (till_sale_get_receipt_no (second), 2);

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillSale) found = till_return_find_sale_by_number (store, forms[i], &error);

      ck_assert_msg (found != NULL, "%s: %s", forms[i], error ? error->message : "");
      ck_assert_str_eq (till_sale_get_uuid (found), till_sale_get_uuid (second));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillSale) found = till_return_find_sale_by_number (store, malformed[i], &error);

      ck_assert_msg (found == NULL, "%s found", malformed[i]);
      ck_assert_msg (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND), "%s",
                     malformed[i]);
    }
}
END_TEST

/* /core/return/find/day-total: newest first, by total or any */
START_TEST (test_find_day_total)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) by_total = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autoptr (TillSale) a = NULL;
  g_autoptr (TillSale) b = NULL;
  g_autoptr (TillSale) c = NULL;
  const char *day;

  add (cola_id, 1000);
  a = sell ();
  add (chips_id, 1000);
  b = sell ();
  add (cola_id, 1000);
  c = sell ();
  day = query_text ("SELECT business_day FROM sale LIMIT 1", NULL);

  by_total = till_return_search_sales (store, day, 350, &error);
  ck_assert_msg (by_total != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (by_total->len, 2);
  ck_assert_str_eq (till_sale_get_uuid (g_ptr_array_index (by_total, 0)), till_sale_get_uuid (c));
  ck_assert_str_eq (till_sale_get_uuid (g_ptr_array_index (by_total, 1)), till_sale_get_uuid (a));

  all = till_return_search_sales (store, day, -1, &error);
  ck_assert_uint_eq (all->len, 3);
  ck_assert_str_eq (till_sale_get_uuid (g_ptr_array_index (all, 1)), till_sale_get_uuid (b));

  none = till_return_search_sales (store, "2001-01-01", -1, &error);
  ck_assert_ptr_nonnull (none);
  ck_assert_uint_eq (none->len, 0);
  g_free ((char *) day);
}
END_TEST

/* /core/return/find/limit: at most 50 sales */
START_TEST (test_find_day_limit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autofree char *day = NULL;

  for (int i = 0; i < 52; i++)
    {
      g_autoptr (TillSale) sale = NULL;

      add (cola_id, 1000);
      sale = sell ();
    }
  day = query_text ("SELECT business_day FROM sale LIMIT 1", NULL);
  found = till_return_search_sales (store, day, 350, &error);
  ck_assert_uint_eq (found->len, 50);
  ck_assert_int_eq (till_sale_get_receipt_no (g_ptr_array_index (found, 0)), 52);
}
END_TEST

/* /core/return/find/unknown: no such receipt */
START_TEST (test_find_unknown)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) number_error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) by_qr = NULL;
  g_autoptr (TillSale) by_number = NULL;

  add (cola_id, 1000);
  sale = sell ();
  by_qr = till_return_find_sale (store, "T01", 99, NULL, &error);
  ck_assert_ptr_null (by_qr);
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND));
  by_number = till_return_find_sale_by_number (store, "T01-00000099", &number_error);
  ck_assert_ptr_null (by_number);
  ck_assert (g_error_matches (number_error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND));
}
END_TEST

/* /core/return/find/other-till: another till id is another till's receipt */
START_TEST (test_find_other_till)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) number_error = NULL;
  g_autoptr (GError) renamed_error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) by_qr = NULL;
  g_autoptr (TillSale) by_number = NULL;
  g_autoptr (TillSale) renamed = NULL;

  add (cola_id, 1000);
  sale = sell ();
  by_qr = till_return_find_sale (store, "T02", 1, NULL, &error);
  ck_assert_ptr_null (by_qr);
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE));
  by_number = till_return_find_sale_by_number (store, "T02-00000001", &number_error);
  ck_assert_ptr_null (by_number);
  ck_assert (g_error_matches (number_error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE));

  /* The till's id is a setting: once it is T07, its own receipts say T07. */
  set_setting ("till.id", "T07");
  renamed = till_return_find_sale_by_number (store, "T01-1", &renamed_error);
  ck_assert_ptr_null (renamed);
  ck_assert (g_error_matches (renamed_error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE));
}
END_TEST

/* /core/return/find/wrong-hash: this till's id and number with another hash is
 * another store's receipt */
START_TEST (test_find_wrong_hash)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) short_error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) found = NULL;
  g_autoptr (TillSale) short_found = NULL;
  char hash16[17];

  add (cola_id, 1000);
  sale = sell ();
  memcpy (hash16, till_sale_get_journal_hash (sale), 16);
  hash16[16] = '\0';
  hash16[15] = hash16[15] == '0' ? '1' : '0';

  found = till_return_find_sale (store, "T01", 1, hash16, &error);
  ck_assert_ptr_null (found);
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE));
  hash16[8] = '\0';
  short_found = till_return_find_sale (store, "T01", 1, hash16, &short_error);
  ck_assert_ptr_null (short_found);
  ck_assert (g_error_matches (short_error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE));
}
END_TEST

/* /core/return/receipt/full: returning everything refunds exactly the total,
 * 抹零 included */
START_TEST (test_full_return_rounding)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  add (odd_id, 3000);  /* 9.99 */
  add (cola_id, 1000); /* 3.50 */
  sale = sell ();
  ck_assert_int_eq (till_sale_get_subtotal (sale), 1349);
  ck_assert_int_eq (till_sale_get_total (sale), 1300);

  draft = new_return (sale);
  ck_assert_uint_eq (till_return_get_n_lines (draft), 0);
  ck_assert_int_eq (till_return_get_refund_total (draft), 0);
  ck_assert (till_return_pick_all (draft, &error));
  ck_assert_uint_eq (till_return_get_n_lines (draft), 2);
  ck_assert_int_eq (till_return_get_subtotal (draft), till_sale_get_subtotal (sale));
  ck_assert_int_eq (till_return_get_rounding (draft), till_sale_get_rounding (sale));
  ck_assert_int_eq (till_return_get_refund_total (draft), till_sale_get_total (sale));
  ck_assert_str_eq (till_return_get_refund_method (draft), "cash");
  ck_assert_int_eq (till_return_get_cash_refund (draft), 1300);

  commit (draft, manager, NULL);
  ck_assert_int_eq (till_return_get_refund_total (draft), 1300);
  ck_assert_int_eq (till_return_get_cash_refund (draft), 1300);
  ck_assert_uint_eq (till_return_get_n_refunds (draft), 1);
  ck_assert_str_eq (till_return_get_refund (draft, 0)->method, "cash");
  ck_assert_int_eq (till_return_get_return_no (draft), 1);
  {
    g_autofree char *number = till_return_format_return_no (draft);

    ck_assert_str_eq (number, "T01-R00000001");
  }
  ck_assert_str_eq (till_return_get_sale_uuid (draft), till_sale_get_uuid (sale));
  ck_assert_ptr_null (till_return_get_approver_code (draft));
  ck_assert_ptr_null (till_return_get_exchange_sale_uuid (draft));
  ck_assert_str_eq (till_return_get_cashier_code (draft), "9001");
  ck_assert_int_eq (query_int ("SELECT refund_total FROM sale_return WHERE uuid = ?",
                               till_return_get_uuid (draft)),
                    1300);
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM refund_payment WHERE return_uuid = ?",
                               till_return_get_uuid (draft)),
                    1300);
}
END_TEST

/* /core/return/receipt/partial: returns piece by piece add up exactly to each
 * line's amount, its discounts, and the sale's total */
START_TEST (test_partial_adds_up)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  /* Which sale line, how much, per return. */
  const struct
  {
    guint  line;
    gint64 quantity;
  } steps[][2] = {
    { { 0, 1000 }, { 1, 1000 } },
    { { 0, 1000 }, { 0, 0 } },
    { { 1, 1000 }, { 0, 0 } },
    { { 0, 1000 }, { 0, 0 } },
  };
  gint64 amounts[2], line_discounts[2], sale_discounts[2], refund_total;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_FEN);
  add (odd_id, 3000);  /* 9.99 */
  add (cola_id, 2000); /* 7.00 */
  ck_assert_msg (till_cart_set_line_discount (cart, journal, manager, 1, 500, "临期", NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_msg (till_cart_set_sale_discount (cart, journal, manager, 1000, "会员日", NULL, &error),
                 "%s", error ? error->message : "");
  sale = sell ();
  ck_assert_int_gt (till_sale_get_line (sale, 0)->sale_discount, 0);
  ck_assert_int_gt (till_sale_get_line (sale, 1)->line_discount, 0);
  ck_assert_int_ne (till_sale_get_rounding (sale), 0);

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr (TillReturn) draft = new_return (sale);
      gint64 cumulative_before = 0;

      for (gsize k = 0; k < 2; k++)
        if (steps[s][k].quantity > 0)
          pick (draft, steps[s][k].line, steps[s][k].quantity);
      /* Each piece is the cumulative share less what came back before. */
      for (guint i = 0; i < till_return_get_n_lines (draft); i++)
        {
          const TillReturnLine *line = till_return_get_line (draft, i);
          const TillSaleLine   *sold = till_sale_get_line (sale, line->sale_line_no - 1);
          gint64                returned =
              till_return_get_returned_before (draft, line->sale_line_no - 1) + line->quantity;

          sum_returned (sale, amounts, line_discounts, sale_discounts, &refund_total);
          cumulative_before = amounts[line->sale_line_no - 1];
          ck_assert_int_eq (line->amount,
                            till_money_round_half_up (sold->amount * returned, sold->quantity) -
                                cumulative_before);
        }
      commit (draft, manager, NULL);
    }

  sum_returned (sale, amounts, line_discounts, sale_discounts, &refund_total);
  for (guint i = 0; i < 2; i++)
    {
      const TillSaleLine *sold = till_sale_get_line (sale, i);

      ck_assert_int_eq (amounts[i], sold->amount);
      ck_assert_int_eq (line_discounts[i], sold->line_discount);
      ck_assert_int_eq (sale_discounts[i], sold->sale_discount);
    }
  ck_assert_int_eq (refund_total, till_sale_get_total (sale));
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM refund_payment", NULL),
                    till_sale_get_total (sale));
}
END_TEST

/* /core/return/receipt/discounts: a partial return unwinds the line's share of
 * both discounts */
START_TEST (test_discounts_unwound)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  const TillSaleLine   *sold;
  const TillReturnLine *line;

  add (odd_id, 3000);
  add (chips_id, 1000);
  ck_assert (till_cart_set_line_discount (cart, journal, manager, 0, 1000, "临期", NULL, &error));
  ck_assert (till_cart_set_sale_discount (cart, journal, manager, 1000, "会员日", NULL, &error));
  sale = sell ();
  sold = till_sale_get_line (sale, 0);
  ck_assert_int_gt (sold->line_discount, 0);
  ck_assert_int_gt (sold->sale_discount, 0);

  draft = new_return (sale);
  pick (draft, 0, 1000);
  line = till_return_get_line (draft, 0);
  ck_assert_int_eq (line->sale_line_no, 1);
  ck_assert_int_eq (line->unit_price, 333);
  ck_assert_int_eq (line->line_discount, till_money_round_half_up (sold->line_discount, 3));
  ck_assert_int_eq (line->sale_discount, till_money_round_half_up (sold->sale_discount, 3));
  ck_assert_int_eq (line->amount, till_money_round_half_up (sold->amount, 3));
  /* The customer gets back what they paid for one, not the shelf price. */
  ck_assert_int_lt (line->amount, 333);
}
END_TEST

/* /core/return/receipt/repeated: what came back once cannot come back again,
 * and a refused return writes nothing */
START_TEST (test_repeated_refused)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) first = NULL;
  g_autoptr (TillReturn) second = NULL;
  g_autoptr (TillReturn) late = NULL;
  g_autoptr (GError) error = NULL;
  gint64 before;

  add (cola_id, 2000);
  sale = sell ();

  /* Two drafts of the same goods, e.g. at two tills. */
  first = new_return (sale);
  late = new_return (sale);
  ck_assert (till_return_pick_all (first, &error));
  ck_assert (till_return_pick_all (late, &error));
  commit (first, manager, NULL);

  before = written_rows ();
  ck_assert (!till_return_commit (late, journal, manager, NULL, &error));
  ck_assert_msg (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_TOO_MANY), "%s",
                 error ? error->message : "");
  ck_assert (!till_return_is_committed (late));
  ck_assert_int_eq (written_rows (), before);
  g_clear_error (&error);

  second = new_return (sale);
  ck_assert_int_eq (till_return_get_returned_before (second, 0), 2000);
  ck_assert_int_eq (till_return_get_returnable (second, 0), 0);
  ck_assert (!till_return_pick_all (second, &error));
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_EMPTY));
  g_clear_error (&error);
  ck_assert (!till_return_set_quantity (second, 0, 1000, &error));
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_TOO_MANY));
  g_clear_error (&error);
  ck_assert (!till_return_commit (second, journal, manager, NULL, &error));
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_EMPTY));
  ck_assert_int_eq (written_rows (), before);
}
END_TEST

/* /core/return/receipt/too-many: more than was sold is refused */
START_TEST (test_larger_than_sale)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;

  add (cola_id, 2000);
  sale = sell ();
  draft = new_return (sale);
  ck_assert_int_eq (till_return_get_sold (draft, 0), 2000);
  ck_assert (!till_return_set_quantity (draft, 0, 3000, &error));
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_TOO_MANY));
  g_clear_error (&error);
  ck_assert_int_eq (till_return_get_quantity (draft, 0), 0);
  ck_assert (!till_return_set_quantity (draft, 0, -1000, &error));
  g_clear_error (&error);
  pick (draft, 0, 2000);
  pick (draft, 0, 0);
  ck_assert_uint_eq (till_return_get_n_lines (draft), 0);
  /* A receipt return takes no goods from outside the sale. */
  {
    g_autoptr (TillProduct) cola = product (cola_id);

    ck_assert (!till_return_add_product (draft, cola, 1000, -1, &error));
    ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_WRONG_KIND));
  }
}
END_TEST

/* /core/return/receipt/weighed: a weighed line comes back whole or not at all */
START_TEST (test_weighed_whole)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;

  add (apple_id, 457);
  sale = sell ();
  draft = new_return (sale);
  ck_assert (!till_return_set_quantity (draft, 0, 200, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_int_eq (till_return_get_quantity (draft, 0), 0);
  pick (draft, 0, 457);
  ck_assert_int_eq (till_return_get_refund_total (draft), till_sale_get_total (sale));
  ck_assert (till_return_get_line (draft, 0)->weighed);
}
END_TEST

/* /core/return/no-receipt/denied: a cashier may not; a supervisor's override
 * allows it and is recorded as the approver */
START_TEST (test_no_receipt_override)
{
  g_autoptr (TillReturn) draft = till_return_new_without_receipt (store);
  g_autoptr (TillProduct) cola = product (cola_id);
  g_autoptr (GError) error = NULL;
  g_autofree char *approver = NULL;
  gint64           before;

  ck_assert_ptr_null (till_return_get_sale (draft));
  ck_assert (till_return_add_product (draft, cola, 2000, -1, &error));
  ck_assert_int_eq (till_return_get_refund_total (draft), 700);
  ck_assert_int_eq (till_return_get_rounding (draft), 0);
  ck_assert (!till_return_set_quantity (draft, 0, 1000, &error));
  ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_WRONG_KIND));
  g_clear_error (&error);

  before = written_rows ();
  ck_assert (!till_return_commit (draft, journal, cashier, NULL, &error));
  ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED), "%s",
                 error->message);
  ck_assert_int_eq (written_rows (), before);

  commit (draft, cashier, &supervisor_ok);
  ck_assert_str_eq (till_return_get_approver_code (draft), "2001");
  ck_assert_ptr_null (till_return_get_sale_uuid (draft));
  approver = query_text ("SELECT approver_code FROM sale_return WHERE uuid = ?",
                         till_return_get_uuid (draft));
  ck_assert_str_eq (approver, "2001");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'override'", NULL), 1);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM sale_return_line WHERE sale_line_no IS NULL", NULL), 1);
  assert_journal_verifies ();
}
END_TEST

/* /core/return/no-receipt/price: the current price, or a supervisor's price */
START_TEST (test_no_receipt_price)
{
  g_autoptr (TillReturn) current = till_return_new_without_receipt (store);
  g_autoptr (TillReturn) other = till_return_new_without_receipt (store);
  g_autoptr (TillProduct) chips = product (chips_id);
  g_autoptr (GError) error = NULL;
  TillUserLimits limits = { 0, 0, -1 };

  /* A supervisor whose price-change limit is ¥1 may return at the current
   * price but not at one ¥2.80 off. */
  ck_assert (till_user_set_limits (store, journal, "9001", supervisor, &limits, &error));
  ck_assert (till_return_add_product (current, chips, 1000, -1, &error));
  ck_assert_int_eq (till_return_get_line (current, 0)->unit_price, 1280);
  commit (current, supervisor, NULL);

  ck_assert (till_return_add_product (other, chips, 1000, 1000, &error));
  ck_assert (till_return_add_product (other, chips, 2000, -1, &error));
  ck_assert_int_eq (till_return_get_refund_total (other), 1000 + 2560);
  ck_assert (till_return_remove_line (other, 1, &error));
  ck_assert_uint_eq (till_return_get_n_lines (other), 1);
  ck_assert (!till_return_remove_line (other, 3, &error));
  g_clear_error (&error);
  ck_assert (!till_return_commit (other, journal, supervisor, NULL, &error));
  ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT), "%s",
                 error->message);
  g_clear_error (&error);
  {
    TillOverride by_manager = { "9001", "9999", FALSE, "price-label-wrong" };

    commit (other, supervisor, &by_manager);
  }
  ck_assert_str_eq (till_return_get_approver_code (other), "9001");
  ck_assert_int_eq (till_return_get_refund_total (other), 1000);
}
END_TEST

/* /core/return/no-receipt/day-limits: count and amount per till and day */
START_TEST (test_no_receipt_day_limits)
{
  g_autoptr (TillProduct) cola = product (cola_id);
  g_autoptr (GError) error = NULL;
  gint64 before;

  set_setting ("returns.no-receipt-daily-count", "2");
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (TillReturn) draft = till_return_new_without_receipt (store);

      ck_assert (till_return_add_product (draft, cola, 1000, -1, &error));
      commit (draft, manager, NULL);
    }
  {
    g_autoptr (TillReturn) third = till_return_new_without_receipt (store);

    ck_assert (till_return_add_product (third, cola, 1000, -1, &error));
    before = written_rows ();
    ck_assert (!till_return_commit (third, journal, manager, &supervisor_ok, &error));
    ck_assert_msg (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_DAY_LIMIT), "%s",
                   error->message);
    ck_assert_int_eq (written_rows (), before);
    g_clear_error (&error);
  }
  /* Returns with a receipt do not count. */
  {
    g_autoptr (TillSale) sale = NULL;
    g_autoptr (TillReturn) with_receipt = NULL;

    add (cola_id, 1000);
    sale = sell ();
    with_receipt = new_return (sale);
    ck_assert (till_return_pick_all (with_receipt, &error));
    commit (with_receipt, manager, NULL);
  }

  /* Amount: ¥7.00 already today, ¥10.00 allowed. */
  set_setting ("returns.no-receipt-daily-count", "10");
  set_setting ("returns.no-receipt-daily-amount", "1000");
  {
    g_autoptr (TillReturn) fits = till_return_new_without_receipt (store);
    g_autoptr (TillReturn) too_much = till_return_new_without_receipt (store);

    ck_assert (till_return_add_product (too_much, cola, 1000, -1, &error));
    ck_assert (till_return_add_product (fits, cola, 1000, 300, &error));
    commit (fits, manager, &supervisor_ok);
    before = written_rows ();
    ck_assert (!till_return_commit (too_much, journal, manager, NULL, &error));
    ck_assert (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_DAY_LIMIT));
    ck_assert_int_eq (written_rows (), before);
  }
}
END_TEST

/* /core/return/permission/limit: a refund above the user's max_refund needs an
 * override */
START_TEST (test_refund_limit)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (TillReturn) small = NULL;
  g_autoptr (GError) error = NULL;
  TillUserLimits limits = { 0, 0, 1000 };
  gint64         before;

  ck_assert (till_user_set_limits (store, journal, "9001", cashier, &limits, &error));
  add (chips_id, 1000);
  add (cola_id, 1000);
  sale = sell ();

  small = new_return (sale);
  pick (small, 1, 1000);
  commit (small, cashier, NULL);
  ck_assert_ptr_null (till_return_get_approver_code (small));

  draft = new_return (sale);
  pick (draft, 0, 1000);
  before = written_rows ();
  ck_assert (!till_return_commit (draft, journal, cashier, NULL, &error));
  ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT), "%s",
                 error->message);
  ck_assert_int_eq (written_rows (), before);
  commit (draft, cashier, &supervisor_ok);
  ck_assert_str_eq (till_return_get_approver_code (draft), "2001");
}
END_TEST

/* /core/return/permission/locked-supervisor: a locked supervisor cannot approve */
START_TEST (test_locked_supervisor)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  gint64 before;

  add (chips_id, 1000);
  sale = sell ();
  for (int i = 0; i < TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    {
      g_autoptr (GError) pin_error = NULL;
      g_autoptr (TillUser) nobody = till_user_authenticate (store, "2001", "0000", &pin_error);

      ck_assert_ptr_null (nobody);
    }
  draft = new_return (sale);
  ck_assert (till_return_pick_all (draft, &error));
  before = written_rows ();
  ck_assert (!till_return_commit (draft, journal, cashier, &supervisor_ok, &error));
  ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE),
                 "%s", error->message);
  ck_assert_int_eq (written_rows (), before);
}
END_TEST

/* /core/return/record/stock: goods go to stock or damaged goods by the reason */
START_TEST (test_stock_locations)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) back = NULL;
  g_autoptr (TillReturn) broken = NULL;
  g_autoptr (TillReturn) none = till_return_new_without_receipt (store);
  g_autoptr (TillProduct) cola = product (cola_id);
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;

  ck_assert_int_eq (till_return_reason_get_location (TILL_RETURN_REASON_WRONG_ITEM),
                    TILL_STOCK_LOCATION_STOCK);
  ck_assert_int_eq (till_return_reason_get_location (TILL_RETURN_REASON_EXPIRED),
                    TILL_STOCK_LOCATION_DAMAGED);
  add (cola_id, 3000);
  sale = sell ();

  back = new_return (sale);
  pick (back, 0, 1000);
  till_return_set_reason (back, TILL_RETURN_REASON_CHANGED_MIND);
  ck_assert_int_eq (till_return_get_line (back, 0)->location, TILL_STOCK_LOCATION_STOCK);
  commit (back, manager, NULL);

  broken = new_return (sale);
  pick (broken, 0, 2000);
  till_return_set_reason (broken, TILL_RETURN_REASON_DEFECTIVE);
  ck_assert_int_eq (till_return_get_line (broken, 0)->location, TILL_STOCK_LOCATION_DAMAGED);
  commit (broken, manager, NULL);

  ck_assert (till_return_add_product (none, cola, 1000, -1, &error));
  till_return_set_reason (none, TILL_RETURN_REASON_DAMAGED);
  commit (none, manager, NULL);

  sql = g_strdup_printf ("SELECT coalesce(sum(delta), 0) FROM stock_move WHERE product_id = "
                         "%" G_GINT64_FORMAT " AND reason = 'return' AND location = ?",
                         cola_id);
  ck_assert_int_eq (query_int (sql, "stock"), 1000);
  ck_assert_int_eq (query_int (sql, "damaged"), 3000);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move WHERE reason = 'return' AND "
                               "ref_uuid = ?",
                               till_return_get_uuid (broken)),
                    1);
  {
    g_autofree char *reason =
        query_text ("SELECT reason FROM sale_return WHERE uuid = ?", till_return_get_uuid (broken));

    ck_assert_str_eq (reason, "defective");
  }
}
END_TEST

/* /core/return/record/journal: a signed "return" entry, an outbox row, and the
 * chain still verifies */
START_TEST (test_journal_outbox)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *sale_ref = NULL;
  const char      *uuid;

  add (cola_id, 2000);
  sale = sell ();
  draft = new_return (sale);
  pick (draft, 0, 1000);
  till_return_set_reason (draft, TILL_RETURN_REASON_WRONG_ITEM);
  commit (draft, cashier, &supervisor_ok);
  uuid = till_return_get_uuid (draft);

  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'return' AND "
                               "ref_uuid = ?",
                               uuid),
                    1);
  body = query_text ("SELECT body FROM journal WHERE kind = 'return'", NULL);
  ck_assert (g_str_has_prefix (body, "{\"uuid\":\""));
  ck_assert_ptr_nonnull (strstr (body, "\"return_no\":1,"));
  sale_ref = g_strdup_printf ("\"sale_uuid\":\"%s\"", till_sale_get_uuid (sale));
  ck_assert_ptr_nonnull (strstr (body, sale_ref));
  ck_assert_ptr_nonnull (strstr (body, "\"reason\":\"wrong-item\""));
  ck_assert_ptr_nonnull (strstr (body, "\"cashier_code\":\"1001\""));
  ck_assert_ptr_nonnull (strstr (body, "\"approver_code\":\"2001\""));
  ck_assert_ptr_nonnull (strstr (body, "\"quantity\":1000,\"unit_price\":350,\"amount\":350"));
  ck_assert_ptr_nonnull (
      strstr (body, "\"refunds\":[{\"method\":\"cash\",\"kind\":\"cash\",\"amount\":350,"));
  ck_assert_ptr_null (strchr (body, '\n'));

  hash = query_text ("SELECT lower(hex(entry_hash)) FROM journal WHERE kind = 'return'", NULL);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'return' AND "
                               "ref_uuid = ? AND state = 'pending'",
                               uuid),
                    1);
  payload = query_text ("SELECT payload FROM outbox WHERE kind = 'return'", NULL);
  expected = g_strdup_printf (
      "{\"return\":%s,\"journal_seq\":%" G_GINT64_FORMAT ",\"journal_hash\":\"%s\"}", body,
      query_int ("SELECT seq FROM journal WHERE kind = 'return'", NULL), hash);
  ck_assert_str_eq (payload, expected);
  assert_journal_verifies ();
}
END_TEST

/* /core/return/record/reload: returns survive reopening the store */
START_TEST (test_reload)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (TillReturn) later = NULL;
  g_autoptr (TillReturn) loaded = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *sale_uuid = NULL;
  gint64           return_no, refund_total, rounding, subtotal;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  add (odd_id, 3000);
  sale = sell ();
  sale_uuid = g_strdup (till_sale_get_uuid (sale));
  draft = new_return (sale);
  pick (draft, 0, 2000);
  till_return_set_reason (draft, TILL_RETURN_REASON_EXPIRED);
  commit (draft, cashier, &supervisor_ok);
  uuid = g_strdup (till_return_get_uuid (draft));
  later = new_return (sale);
  pick (later, 0, 1000);
  commit (later, manager, NULL);
  return_no = till_return_get_return_no (draft);
  refund_total = till_return_get_refund_total (draft);
  rounding = till_return_get_rounding (draft);
  subtotal = till_return_get_subtotal (draft);
  ck_assert_int_ne (rounding, 0);
  /* Drafts hold the store: let go of everything before reopening it. */
  g_clear_object (&draft);
  g_clear_object (&later);
  g_clear_object (&sale);

  close_store ();
  open_store ();

  loaded = till_return_load (store, uuid, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_is_committed (loaded));
  ck_assert_int_eq (till_return_get_return_no (loaded), return_no);
  ck_assert_int_eq (till_return_get_refund_total (loaded), refund_total);
  ck_assert_int_eq (till_return_get_rounding (loaded), rounding);
  ck_assert_int_eq (till_return_get_subtotal (loaded), subtotal);
  ck_assert_int_eq (till_return_get_reason (loaded), TILL_RETURN_REASON_EXPIRED);
  ck_assert_str_eq (till_return_get_approver_code (loaded), "2001");
  ck_assert_str_eq (till_return_get_cashier_name (loaded), "王小丽");
  ck_assert_str_eq (till_return_get_sale_uuid (loaded), sale_uuid);
  ck_assert_str_eq (till_return_get_till_id (loaded), "T01");
  ck_assert_uint_eq (till_return_get_n_lines (loaded), 1);
  ck_assert_int_eq (till_return_get_line (loaded, 0)->quantity, 2000);
  ck_assert_int_eq (till_return_get_line (loaded, 0)->location, TILL_STOCK_LOCATION_DAMAGED);
  ck_assert_str_eq (till_return_get_line (loaded, 0)->name, "测试商品");
  ck_assert_int_eq (till_return_get_quantity (loaded, 0), 2000);
  ck_assert_int_eq (till_return_get_returned_before (loaded, 0), 0);
  ck_assert_int_eq (till_return_get_cash_refund (loaded), refund_total);
  {
    g_autoptr (GDateTime) created = till_return_get_created (loaded);

    ck_assert_ptr_nonnull (created);
  }

  listed = till_return_list_for_sale (store, sale_uuid, &error);
  ck_assert_uint_eq (listed->len, 2);
  ck_assert_str_eq (till_return_get_uuid (g_ptr_array_index (listed, 0)), uuid);
  ck_assert_int_eq (till_return_get_returned_before (g_ptr_array_index (listed, 1), 0), 2000);
  ck_assert_int_eq (till_return_get_refund_total (g_ptr_array_index (listed, 0)) +
                        till_return_get_refund_total (g_ptr_array_index (listed, 1)),
                    900);
  {
    g_autoptr (GError) missing_error = NULL;
    g_autoptr (TillReturn) missing = till_return_load (store, "no-such-return", &missing_error);

    ck_assert_ptr_null (missing);
    ck_assert (g_error_matches (missing_error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_NOT_FOUND));
  }
}
END_TEST

/* /core/return/exchange/cheaper: the new sale is paid by the refund; the rest
 * comes back in cash */
START_TEST (test_exchange_cheaper)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) new_sale = NULL;
  g_autoptr (TillSale) reloaded = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *old_cart_uuid = NULL;

  add (cola_id, 3000);
  sale = sell ();
  draft = new_return (sale);
  ck_assert (till_return_pick_all (draft, &error));
  add (cola_id, 1000);
  old_cart_uuid = g_strdup (till_cart_get_sale_uuid (cart));

  new_sale = till_return_commit_exchange (draft, cart, journal, manager, 0, NULL, &error);
  ck_assert_msg (new_sale != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (new_sale), old_cart_uuid);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), old_cart_uuid);

  /* The return: ¥3.50 credit towards the sale, ¥7.00 cash. */
  ck_assert_str_eq (till_return_get_exchange_sale_uuid (draft), old_cart_uuid);
  ck_assert_uint_eq (till_return_get_n_refunds (draft), 2);
  ck_assert_str_eq (till_return_get_refund (draft, 0)->method, "exchange");
  ck_assert_int_eq (till_return_get_refund (draft, 0)->amount, 350);
  ck_assert_str_eq (till_return_get_refund (draft, 0)->reference, old_cart_uuid);
  ck_assert_str_eq (till_return_get_refund (draft, 1)->method, "cash");
  ck_assert_int_eq (till_return_get_cash_refund (draft), 700);

  /* The sale: paid entirely by the exchange credit. */
  reloaded = till_sale_load (store, old_cart_uuid, &error);
  ck_assert_uint_eq (till_sale_get_n_payments (reloaded), 1);
  ck_assert_str_eq (till_sale_get_payment (reloaded, 0)->method, "exchange");
  ck_assert_int_eq (till_sale_get_payment (reloaded, 0)->amount, 350);
  ck_assert_str_eq (till_sale_get_payment (reloaded, 0)->reference, till_return_get_uuid (draft));
  ck_assert_int_eq (till_sale_get_tendered (reloaded), 0);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM sale_return WHERE exchange_sale_uuid = ?", old_cart_uuid),
      1);
  assert_journal_verifies ();
}
END_TEST

/* /core/return/exchange/dearer: the customer pays the difference in cash, and
 * both documents reference each other */
START_TEST (test_exchange_dearer)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) new_sale = NULL;
  g_autoptr (TillSale) reloaded = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (TillReturn) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *payment_part = NULL;

  add (cola_id, 2000);
  sale = sell ();
  draft = new_return (sale);
  pick (draft, 0, 1000);
  add (chips_id, 1000);

  new_sale = till_return_commit_exchange (draft, cart, journal, manager, 1000, NULL, &error);
  ck_assert_msg (new_sale != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_total (new_sale), 1280);
  ck_assert_int_eq (till_sale_get_tendered (new_sale), 1000);
  ck_assert_int_eq (till_sale_get_change (new_sale), 70);
  ck_assert_int_eq (till_return_get_cash_refund (draft), 0);
  ck_assert_uint_eq (till_return_get_n_refunds (draft), 1);

  reloaded = till_sale_load (store, till_sale_get_uuid (new_sale), &error);
  ck_assert_uint_eq (till_sale_get_n_payments (reloaded), 2);
  ck_assert_str_eq (till_sale_get_payment (reloaded, 0)->method, "exchange");
  ck_assert_int_eq (till_sale_get_payment (reloaded, 0)->amount, 350);
  ck_assert_str_eq (till_sale_get_payment (reloaded, 1)->method, "cash");
  ck_assert_int_eq (till_sale_get_payment (reloaded, 1)->amount, 930);
  ck_assert_int_eq (till_sale_get_tendered (reloaded), 1000);
  ck_assert_int_eq (till_sale_get_change (reloaded), 70);

  loaded = till_return_load (store, till_return_get_uuid (draft), &error);
  ck_assert_str_eq (till_return_get_exchange_sale_uuid (loaded), till_sale_get_uuid (new_sale));
  ck_assert_str_eq (till_return_get_refund (loaded, 0)->reference, till_sale_get_uuid (new_sale));

  body = query_text ("SELECT body FROM journal WHERE kind = 'sale' AND ref_uuid = ?",
                     till_sale_get_uuid (new_sale));
  payment_part = g_strdup_printf ("\"payments\":[{\"method\":\"exchange\",\"amount\":350,"
                                  "\"reference\":\"%s\"},{\"method\":\"cash\",\"amount\":930,"
                                  "\"tendered\":1000,\"change\":70}]}",
                                  till_return_get_uuid (draft));
  ck_assert_msg (strstr (body, payment_part) != NULL, "%s", body);
  assert_journal_verifies ();
}
END_TEST

/* /core/return/exchange/insufficient: too little cash records nothing and
 * keeps the cart */
START_TEST (test_exchange_insufficient)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) new_sale = NULL;
  g_autoptr (TillSale) later = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *cart_uuid = NULL;
  gint64           before;

  add (cola_id, 1000);
  sale = sell ();
  draft = new_return (sale);
  pick (draft, 0, 1000);
  add (chips_id, 1000);
  cart_uuid = g_strdup (till_cart_get_sale_uuid (cart));

  before = written_rows ();
  new_sale = till_return_commit_exchange (draft, cart, journal, manager, 900, NULL, &error);
  ck_assert_ptr_null (new_sale);
  ck_assert_msg (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_INSUFFICIENT), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (written_rows (), before);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), cart_uuid);
  ck_assert (!till_return_is_committed (draft));
  g_clear_error (&error);

  /* The same draft goes through with enough cash. */
  later = till_return_commit_exchange (draft, cart, journal, manager, 930, NULL, &error);
  ck_assert_msg (later != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_change (later), 0);
}
END_TEST

/* /core/return/exchange/one-transaction: when the sale part fails, the return
 * is not recorded either */
START_TEST (test_exchange_atomic)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) new_sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  gint64 before;

  add (cola_id, 1000);
  sale = sell ();
  draft = new_return (sale);
  pick (draft, 0, 1000);
  add (chips_id, 1000);

  exec ("CREATE TEMP TRIGGER refuse_sale BEFORE INSERT ON sale "
        "BEGIN SELECT RAISE (ABORT, 'disk says no'); END");
  before = written_rows ();
  new_sale = till_return_commit_exchange (draft, cart, journal, manager, 2000, NULL, &error);
  ck_assert_ptr_null (new_sale);
  ck_assert_msg (g_error_matches (error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_STORAGE), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (written_rows (), before);
  ck_assert_int_eq (count_rows ("sale_return"), 0);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert (!till_return_is_committed (draft));
  assert_journal_verifies ();
}
END_TEST

/* /core/return/share: the one proportional rule */
START_TEST (test_share)
{
  gint64 given = 0;

  /* 100 fen over 3 units returned one at a time: 33 + 34 + 33. */
  for (gint64 part = 1; part <= 3; part++)
    given += till_return_share (100, part, 3, given);
  ck_assert_int_eq (given, 100);
  ck_assert_int_eq (till_return_share (100, 1, 3, 0), 33);
  ck_assert_int_eq (till_return_share (100, 2, 3, 33), 34);
  ck_assert_int_eq (till_return_share (-99, 3, 3, -66), -33);
}
END_TEST

/* Mixed payments (issue 6): a sale paid by several tenders, returned in
 * parts. The sale is rung up with the real tender records: a QR wallet
 * attempt confirmed paid (as the wallet service saves it), then stored
 * value, a bank card, a voucher and cash applied to the cart's payment. */

#define SV_CARD "8800567800120012"
#define WALLET_TXN "4200001234202611230012345678"
#define CARD_REF "123456"
#define VOUCHER_CODE "V2026001"

typedef struct
{
  gint64 wallet;   /* fen by WeChat Pay, 0: none */
  gint64 stored;   /* fen from the stored-value card */
  gint64 card;     /* fen by bank card */
  gint64 voucher;  /* face value of a voucher applied last but cash, 0: none */
  gint64 tendered; /* cash handed over for the rest, 0: none */
} Tenders;

static void
apply_tender (TillPayment   *payment,
              const char    *method,
              TillTenderKind kind,
              gint64         amount,
              gint64         tendered,
              const char    *reference,
              const char    *account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) tender = till_sale_payment_new (method, kind, amount);

  tender->tendered = tendered;
  /* Only cash gives change: what was handed over beyond what it pays. */
  if (kind == TILL_TENDER_KIND_CASH)
    tender->change = tendered - amount;
  tender->reference = g_strdup (reference);
  tender->account = g_strdup (account);
  ck_assert_msg (till_payment_add (payment, tender, &error), "%s: %s", method,
                 error ? error->message : "");
}

/* A confirmed WeChat Pay attempt on the open cart, saved the way the wallet
 * service saves one: the save applies it to the cart (cart_tender). */
static void
pay_by_wallet (gint64 amount)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) attempt =
      till_wallet_attempt_begin (store, TILL_WALLET_WECHAT, till_cart_get_sale_uuid (cart), amount,
                                 "134526789012345678", FALSE, &error);

  ck_assert_msg (attempt != NULL, "%s", error ? error->message : "");
  attempt->state = TILL_WALLET_STATE_PAID;
  attempt->transaction_id = g_strdup (WALLET_TXN);
  attempt->buyer = g_strdup ("oUpF****5lVo");
  ck_assert_msg (till_wallet_attempt_save (store, attempt, &error), "%s",
                 error ? error->message : "");
  g_free (wallet_attempt);
  wallet_attempt = g_strdup (attempt->out_trade_no);
}

/* Sells what is in the cart, paid by @tenders in the order of the struct. */
static TillSale *
sell_mixed (const Tenders *tenders)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPayment) payment = NULL;
  TillSale *sale;

  if (tenders->stored > 0 && till_stored_value_find (store, SV_CARD, NULL) == NULL)
    ck_assert_msg (till_stored_value_open (store, SV_CARD, "陈静", 10000, 1000, &error), "%s",
                   error ? error->message : "");
  if (tenders->voucher > 0)
    ck_assert_msg (
        till_voucher_issue (store, VOUCHER_CODE, tenders->voucher, 0, NULL, NULL, &error), "%s",
        error ? error->message : "");
  if (tenders->wallet > 0)
    pay_by_wallet (tenders->wallet);
  payment = till_payment_new (cart, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), tenders->wallet > 0 ? 1 : 0);
  if (tenders->stored > 0)
    apply_tender (payment, "stored-value", TILL_TENDER_KIND_STORED_VALUE, tenders->stored,
                  tenders->stored, SV_CARD, "8800****0012");
  if (tenders->card > 0)
    apply_tender (payment, "card", TILL_TENDER_KIND_CARD, tenders->card, tenders->card, CARD_REF,
                  "**** 1234");
  if (tenders->voucher > 0)
    apply_tender (payment, "voucher", TILL_TENDER_KIND_VOUCHER,
                  MIN (tenders->voucher, till_payment_get_remaining (payment)), tenders->voucher,
                  VOUCHER_CODE, NULL);
  if (tenders->tendered > 0)
    {
      gint64 due = till_payment_get_cash_due (payment);

      apply_tender (payment, "cash", TILL_TENDER_KIND_CASH, MIN (due, tenders->tendered),
                    tenders->tendered, NULL, NULL);
    }
  ck_assert (till_payment_is_complete (payment));
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

static void
assert_refund (TillReturn     *ret,
               guint           index,
               const char     *method,
               TillTenderKind  kind,
               gint64          amount,
               TillRefundState state)
{
  const TillRefund *refund;

  ck_assert_uint_lt (index, till_return_get_n_refunds (ret));
  refund = till_return_get_refund (ret, index);
  ck_assert_str_eq (refund->method, method);
  ck_assert_int_eq (refund->kind, kind);
  ck_assert_int_eq (refund->amount, amount);
  ck_assert_int_eq (refund->state, state);
}

/* The refunds of each return add up to its refund total, and over all the
 * returns of @sale the refunds to each of its tenders (cash and exchange
 * credit together) stay within what the tender paid. */
static void
assert_allocation_holds (TillSale *sale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) returns =
      till_return_list_for_sale (store, till_sale_get_uuid (sale), &error);

  ck_assert_msg (returns != NULL, "%s", error ? error->message : "");
  for (guint p = 0; p < till_sale_get_n_payments (sale); p++)
    {
      const TillSalePayment *payment = till_sale_get_payment (sale, p);
      gint64                 refunded = 0;

      if (payment->kind == TILL_TENDER_KIND_CASH)
        continue;
      for (guint r = 0; r < returns->len; r++)
        {
          TillReturn *ret = g_ptr_array_index (returns, r);

          for (guint i = 0; i < till_return_get_n_refunds (ret); i++)
            {
              const TillRefund *refund = till_return_get_refund (ret, i);
              const char       *key =
                  payment->kind == TILL_TENDER_KIND_WALLET ? payment->attempt : payment->reference;

              if (g_strcmp0 (refund->method, payment->method) == 0 &&
                  g_strcmp0 (refund->reference, key) == 0)
                refunded += refund->amount;
            }
        }
      ck_assert_msg (refunded <= payment->amount,
                     "%s: %" G_GINT64_FORMAT " refunded of %" G_GINT64_FORMAT, payment->method,
                     refunded, payment->amount);
    }
  for (guint r = 0; r < returns->len; r++)
    {
      TillReturn *ret = g_ptr_array_index (returns, r);
      gint64      sum = 0;

      for (guint i = 0; i < till_return_get_n_refunds (ret); i++)
        sum += till_return_get_refund (ret, i)->amount;
      ck_assert_int_eq (sum, till_return_get_refund_total (ret));
    }
}

static gint64
sv_balance (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStoredValueAccount) account = till_stored_value_find (store, SV_CARD, &error);

  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  return account->balance;
}

/* /core/return/mixed/two-partial: ¥45.40 paid ¥15.00 WeChat, ¥10.00 stored
 * value, ¥12.00 card, ¥8.40 cash (¥10.00 handed over), returned in two
 * parts: the first fills stored value, the wallet, then the card; the second
 * the rest of the card and the cash. Each tender gets back exactly what it
 * paid, the stored-value card is credited in the return, the wallet refund
 * waits for the wallet service, the card refund is made on the terminal. */
START_TEST (test_mixed_two_returns)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) first = NULL;
  g_autoptr (TillReturn) second = NULL;
  g_autoptr (TillReturn) loaded = NULL;
  g_autoptr (GPtrArray) wallet_refunds = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char  *body = NULL;
  g_autofree char  *payload = NULL;
  g_autofree char  *wallet_part = NULL;
  const Tenders     tenders = { .wallet = 1500, .stored = 1000, .card = 1200, .tendered = 1000 };
  TillWalletRefund *wallet_refund;
  gint64            balance_after_sale;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add (chips_id, 3000);
  add (cola_id, 2000);
  sale = sell_mixed (&tenders);
  ck_assert_int_eq (till_sale_get_total (sale), 4540);
  ck_assert_uint_eq (till_sale_get_n_payments (sale), 4);
  balance_after_sale = sv_balance ();
  ck_assert_int_eq (balance_after_sale, 10000);

  /* Two bags of chips: ¥25.60. The draft shows the plan. */
  first = new_return (sale);
  pick (first, 0, 2000);
  ck_assert_int_eq (till_return_get_refund_total (first), 2560);
  ck_assert_uint_eq (till_return_get_n_refunds (first), 3);
  ck_assert_str_eq (till_return_get_refund_method (first), "stored-value");
  ck_assert_int_eq (till_return_get_cash_refund (first), 0);
  commit (first, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (first), 3);
  assert_refund (first, 0, "stored-value", TILL_TENDER_KIND_STORED_VALUE, 1000,
                 TILL_REFUND_STATE_DONE);
  ck_assert_str_eq (till_return_get_refund (first, 0)->reference, SV_CARD);
  ck_assert_str_eq (till_return_get_refund (first, 0)->account, "8800****0012");
  assert_refund (first, 1, "wechat", TILL_TENDER_KIND_WALLET, 1500, TILL_REFUND_STATE_PENDING);
  ck_assert_str_eq (till_return_get_refund (first, 1)->reference, wallet_attempt);
  assert_refund (first, 2, "card", TILL_TENDER_KIND_CARD, 60, TILL_REFUND_STATE_DONE);
  ck_assert_str_eq (till_return_get_refund (first, 2)->reference, CARD_REF);
  ck_assert_str_eq (till_return_get_refund (first, 2)->account, "**** 1234");
  ck_assert_int_eq (till_return_get_cash_refund (first), 0);
  ck_assert_int_eq (till_return_get_money_refund (first), 2560);

  /* The stored-value card got its ¥10.00 back in the return's own entry. */
  ck_assert_int_eq (sv_balance (), balance_after_sale + 1000);
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM sv_ledger WHERE kind = 'credit' AND "
                               "return_uuid = ?",
                               till_return_get_uuid (first)),
                    1000);
  /* The wallet refund waits, pending, for the wallet service. */
  wallet_refunds = till_wallet_refund_list_for_return (store, till_return_get_uuid (first), &error);
  ck_assert_msg (wallet_refunds != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (wallet_refunds->len, 1);
  wallet_refund = g_ptr_array_index (wallet_refunds, 0);
  ck_assert_str_eq (wallet_refund->out_trade_no, wallet_attempt);
  ck_assert_int_eq (wallet_refund->amount, 1500);
  ck_assert_int_eq (wallet_refund->total, 1500);
  ck_assert_int_eq (wallet_refund->state, TILL_WALLET_REFUND_PENDING);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM refund_payment WHERE return_uuid = ? AND "
                               "kind = 'wallet' AND state = 'pending'",
                               till_return_get_uuid (first)),
                    1);
  /* The journal and HQ learn each refund tender with its kind and state. */
  body = query_text ("SELECT body FROM journal WHERE kind = 'return' AND ref_uuid = ?",
                     till_return_get_uuid (first));
  wallet_part = g_strdup_printf ("{\"method\":\"wechat\",\"kind\":\"wallet\",\"amount\":1500,"
                                 "\"reference\":\"%s\",\"account\":\"oUpF****5lVo\","
                                 "\"state\":\"pending\"}",
                                 wallet_attempt);
  ck_assert_msg (strstr (body, wallet_part) != NULL, "%s", body);
  ck_assert_msg (strstr (body, "{\"method\":\"card\",\"kind\":\"card\",\"amount\":60,"
                               "\"reference\":\"123456\",\"account\":\"**** 1234\","
                               "\"state\":\"done\"}") != NULL,
                 "%s", body);
  payload = query_text ("SELECT payload FROM outbox WHERE kind = 'return' AND ref_uuid = ?",
                        till_return_get_uuid (first));
  ck_assert_ptr_nonnull (strstr (payload, wallet_part));

  /* The rest: a bag of chips and two colas, ¥19.80: card ¥11.40, cash ¥8.40. */
  second = new_return (sale);
  pick (second, 0, 1000);
  pick (second, 1, 2000);
  ck_assert_int_eq (till_return_get_refund_total (second), 1980);
  commit (second, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (second), 2);
  assert_refund (second, 0, "card", TILL_TENDER_KIND_CARD, 1140, TILL_REFUND_STATE_DONE);
  assert_refund (second, 1, "cash", TILL_TENDER_KIND_CASH, 840, TILL_REFUND_STATE_DONE);
  ck_assert_int_eq (till_return_get_cash_refund (second), 840);
  ck_assert_int_eq (count_rows ("wallet_refund"), 1);
  ck_assert_int_eq (sv_balance (), balance_after_sale + 1000);
  assert_allocation_holds (sale);

  /* Once the wallet service has the provider's answer, the return says so. */
  wallet_refund->state = TILL_WALLET_REFUND_DONE;
  wallet_refund->refund_id = g_strdup ("50000000382019052709732678859");
  ck_assert_msg (till_wallet_refund_save (store, wallet_refund, &error), "%s",
                 error ? error->message : "");
  loaded = till_return_load (store, till_return_get_uuid (first), &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_return_get_n_refunds (loaded), 3);
  assert_refund (loaded, 0, "stored-value", TILL_TENDER_KIND_STORED_VALUE, 1000,
                 TILL_REFUND_STATE_DONE);
  assert_refund (loaded, 1, "wechat", TILL_TENDER_KIND_WALLET, 1500, TILL_REFUND_STATE_DONE);
  ck_assert_str_eq (till_return_get_refund (loaded, 1)->account, "oUpF****5lVo");
  assert_refund (loaded, 2, "card", TILL_TENDER_KIND_CARD, 60, TILL_REFUND_STATE_DONE);
  assert_journal_verifies ();
}
END_TEST

/* /core/return/mixed/voucher: ¥45.40 paid with a ¥10.00 voucher and cash.
 * The first return is all cash; the last one gets the cash that is left and
 * the voucher's share, recorded as not paid out. */
START_TEST (test_mixed_voucher)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) first = NULL;
  g_autoptr (TillReturn) second = NULL;
  g_autoptr (GError) error = NULL;
  const Tenders tenders = { .voucher = 1000, .tendered = 4000 };

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add (chips_id, 3000);
  add (cola_id, 2000);
  sale = sell_mixed (&tenders);
  ck_assert_int_eq (till_sale_get_change (sale), 460);

  first = new_return (sale);
  pick (first, 0, 2000);
  commit (first, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (first), 1);
  assert_refund (first, 0, "cash", TILL_TENDER_KIND_CASH, 2560, TILL_REFUND_STATE_DONE);

  second = new_return (sale);
  ck_assert (till_return_pick_all (second, &error));
  ck_assert_int_eq (till_return_get_refund_total (second), 1980);
  ck_assert_int_eq (till_return_get_money_refund (second), 980);
  commit (second, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (second), 2);
  assert_refund (second, 0, "cash", TILL_TENDER_KIND_CASH, 980, TILL_REFUND_STATE_DONE);
  assert_refund (second, 1, "voucher", TILL_TENDER_KIND_VOUCHER, 1000, TILL_REFUND_STATE_DONE);
  ck_assert_str_eq (till_return_get_refund (second, 1)->reference, VOUCHER_CODE);
  ck_assert_int_eq (till_return_get_cash_refund (second), 980);
  ck_assert_int_eq (till_return_get_money_refund (second), 980);
  /* The voucher stays used: a refund does not hand it back either. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM voucher WHERE code = ? AND state = 'redeemed'",
                               VOUCHER_CODE),
                    1);
  assert_allocation_holds (sale);
}
END_TEST

/* /core/return/mixed/refund-to-cash: under the store's "cash" rule the money
 * goes back in cash whatever paid it: no stored-value credit, no wallet
 * refund; a voucher's share is still not paid out. */
START_TEST (test_mixed_refund_to_cash)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (GError) error = NULL;
  const Tenders tenders = {
    .wallet = 1000, .stored = 1000, .card = 1000, .voucher = 1000, .tendered = 600
  };
  gint64 balance;

  set_setting ("returns.refund-to", "cash");
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add (chips_id, 3000);
  add (cola_id, 2000);
  sale = sell_mixed (&tenders);
  ck_assert_int_eq (till_sale_get_total (sale), 4540);
  balance = sv_balance ();

  draft = new_return (sale);
  ck_assert (till_return_pick_all (draft, &error));
  commit (draft, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (draft), 2);
  assert_refund (draft, 0, "cash", TILL_TENDER_KIND_CASH, 3540, TILL_REFUND_STATE_DONE);
  assert_refund (draft, 1, "voucher", TILL_TENDER_KIND_VOUCHER, 1000, TILL_REFUND_STATE_DONE);
  ck_assert_int_eq (till_return_get_cash_refund (draft), 3540);
  ck_assert_int_eq (sv_balance (), balance);
  ck_assert_int_eq (count_rows ("wallet_refund"), 0);
}
END_TEST

/* /core/return/mixed/rule-changed: a first return under the "cash" rule paid
 * more cash than the sale took in cash; what it paid counts against the card
 * before a later return under the "original" rule, so the card never gets
 * more than it paid and the voucher is never paid out. The ¥20.00 voucher
 * paid the last ¥15.40: its rest was forfeited. */
START_TEST (test_mixed_rule_changed)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) first = NULL;
  g_autoptr (TillReturn) second = NULL;
  g_autoptr (GError) error = NULL;
  const Tenders tenders = { .card = 3000, .voucher = 2000 };

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add (chips_id, 3000);
  add (cola_id, 2000);
  sale = sell_mixed (&tenders);
  ck_assert_uint_eq (till_sale_get_n_payments (sale), 2);
  ck_assert_int_eq (till_sale_get_payment (sale, 1)->amount, 1540);

  set_setting ("returns.refund-to", "cash");
  first = new_return (sale);
  pick (first, 0, 2000);
  commit (first, manager, NULL);
  assert_refund (first, 0, "cash", TILL_TENDER_KIND_CASH, 2560, TILL_REFUND_STATE_DONE);

  set_setting ("returns.refund-to", "original");
  second = new_return (sale);
  ck_assert (till_return_pick_all (second, &error));
  commit (second, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (second), 2);
  assert_refund (second, 0, "card", TILL_TENDER_KIND_CARD, 440, TILL_REFUND_STATE_DONE);
  assert_refund (second, 1, "voucher", TILL_TENDER_KIND_VOUCHER, 1540, TILL_REFUND_STATE_DONE);
  ck_assert_int_eq (till_return_get_money_refund (first) + till_return_get_money_refund (second),
                    3000);
  assert_allocation_holds (sale);
}
END_TEST

/* /core/return/mixed/exchange: exchanging goods of a sale paid by card and
 * wallet credits the refund towards the new sale as before: no card or
 * wallet refund, the rest in cash. */
START_TEST (test_mixed_exchange)
{
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) new_sale = NULL;
  g_autoptr (TillReturn) draft = NULL;
  g_autoptr (TillReturn) later = NULL;
  g_autoptr (GError) error = NULL;
  const Tenders tenders = { .wallet = 2000, .card = 2540 };

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add (chips_id, 3000);
  add (cola_id, 2000);
  sale = sell_mixed (&tenders);

  draft = new_return (sale);
  pick (draft, 0, 1000);
  add (cola_id, 1000);
  new_sale = till_return_commit_exchange (draft, cart, journal, manager, 0, NULL, &error);
  ck_assert_msg (new_sale != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_return_get_n_refunds (draft), 2);
  assert_refund (draft, 0, "exchange", TILL_TENDER_KIND_EXCHANGE, 350, TILL_REFUND_STATE_DONE);
  assert_refund (draft, 1, "cash", TILL_TENDER_KIND_CASH, 930, TILL_REFUND_STATE_DONE);
  ck_assert_int_eq (count_rows ("wallet_refund"), 0);
  ck_assert_int_eq (till_return_get_money_refund (draft), 930);

  /* The exchange's ¥12.80 counts against the wallet first: the rest of the
   * sale, ¥32.60, gets ¥7.20 of the wallet and all of the card. */
  later = new_return (sale);
  ck_assert (till_return_pick_all (later, &error));
  commit (later, manager, NULL);
  ck_assert_uint_eq (till_return_get_n_refunds (later), 2);
  assert_refund (later, 0, "wechat", TILL_TENDER_KIND_WALLET, 720, TILL_REFUND_STATE_PENDING);
  assert_refund (later, 1, "card", TILL_TENDER_KIND_CARD, 2540, TILL_REFUND_STATE_DONE);
  assert_allocation_holds (sale);
}
END_TEST

static Suite *
return_suite (void)
{
  Suite *suite = suite_create ("core/return");
  TCase *find = tcase_create ("find");
  TCase *receipt = tcase_create ("receipt");
  TCase *no_receipt = tcase_create ("no-receipt");
  TCase *permission = tcase_create ("permission");
  TCase *record = tcase_create ("record");
  TCase *exchange = tcase_create ("exchange");
  TCase *share = tcase_create ("share");
  TCase *mixed = tcase_create ("mixed");
  TCase *all[] = { find, receipt, no_receipt, permission, record, exchange, mixed };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      tcase_add_checked_fixture (all[i], setup, teardown);
      tcase_set_timeout (all[i], 60);
      suite_add_tcase (suite, all[i]);
    }
  tcase_add_test (find, test_find_qr);
  tcase_add_test (find, test_find_number);
  tcase_add_test (find, test_find_day_total);
  tcase_add_test (find, test_find_day_limit);
  tcase_add_test (find, test_find_unknown);
  tcase_add_test (find, test_find_other_till);
  tcase_add_test (find, test_find_wrong_hash);
  tcase_add_test (receipt, test_full_return_rounding);
  tcase_add_test (receipt, test_partial_adds_up);
  tcase_add_test (receipt, test_discounts_unwound);
  tcase_add_test (receipt, test_repeated_refused);
  tcase_add_test (receipt, test_larger_than_sale);
  tcase_add_test (receipt, test_weighed_whole);
  tcase_add_test (no_receipt, test_no_receipt_override);
  tcase_add_test (no_receipt, test_no_receipt_price);
  tcase_add_test (no_receipt, test_no_receipt_day_limits);
  tcase_add_test (permission, test_refund_limit);
  tcase_add_test (permission, test_locked_supervisor);
  tcase_add_test (record, test_stock_locations);
  tcase_add_test (record, test_journal_outbox);
  tcase_add_test (record, test_reload);
  tcase_add_test (exchange, test_exchange_cheaper);
  tcase_add_test (exchange, test_exchange_dearer);
  tcase_add_test (exchange, test_exchange_insufficient);
  tcase_add_test (exchange, test_exchange_atomic);
  tcase_add_test (mixed, test_mixed_two_returns);
  tcase_add_test (mixed, test_mixed_voucher);
  tcase_add_test (mixed, test_mixed_refund_to_cash);
  tcase_add_test (mixed, test_mixed_rule_changed);
  tcase_add_test (mixed, test_mixed_exchange);
  tcase_add_test (share, test_share);
  suite_add_tcase (suite, share);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (return_suite ());
}
