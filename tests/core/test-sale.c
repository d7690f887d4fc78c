/* test-sale.c: tests for src/core/till-sale.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <openssl/evp.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static char        *db_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;

static gint64 cola_id;  /* ¥3.50 */
static gint64 chips_id; /* ¥12.80 */
static gint64 apple_id; /* ¥5.98/kg, weighed */
static gint64 odd_id;   /* ¥12.34, for 抹零 */

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

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");

  cola_id = add_product ("C001", "可口可乐 330ml", "罐", 350, FALSE);
  chips_id = add_product ("C002", "乐事薯片 \"原味\" 70g", "袋", 1280, FALSE);
  apple_id = add_product ("F001", "红富士苹果", "kg", 598, TRUE);
  odd_id = add_product ("X001", "测试商品", "个", 1234, FALSE);

  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");

  cart = till_cart_new (store, catalog);
}

static void
teardown (void)
{
  g_clear_object (&cart);
  g_clear_object (&cashier);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
}

static void
add (gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, quantity, &error) != NULL, "%s",
                 error ? error->message : "");
}

static TillSale *
commit (gint64 tendered)
{
  g_autoptr (GError) error = NULL;
  TillSale *sale = till_sale_commit_cash (cart, journal, cashier, tendered, &error);

  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_null (error);
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
  return g_strndup ((const char *) sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
}

/* Everything a sale writes, counted, as one string to compare before and after. */
static char *
count_rows (void)
{
  return g_strdup_printf (
      "sale=%" G_GINT64_FORMAT " sale_line=%" G_GINT64_FORMAT " payment=%" G_GINT64_FORMAT
      " stock_move=%" G_GINT64_FORMAT " journal=%" G_GINT64_FORMAT " outbox=%" G_GINT64_FORMAT
      " receipt=%" G_GINT64_FORMAT " cart=%" G_GINT64_FORMAT " cart_line=%" G_GINT64_FORMAT,
      query_int ("SELECT count(*) FROM sale", NULL),
      query_int ("SELECT count(*) FROM sale_line", NULL),
      query_int ("SELECT count(*) FROM payment", NULL),
      query_int ("SELECT count(*) FROM stock_move", NULL),
      query_int ("SELECT count(*) FROM journal", NULL),
      query_int ("SELECT count(*) FROM outbox", NULL),
      query_int ("SELECT coalesce(max(value), 0) FROM counter "
                 "WHERE name = 'receipt'",
                 NULL),
      query_int ("SELECT count(*) FROM cart", NULL),
      query_int ("SELECT count(*) FROM cart_line", NULL));
}

static char *
cart_lines (void)
{
  GString *out = g_string_new (till_cart_get_sale_uuid (cart));

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);

      g_string_append_printf (out, " %" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                              till_product_get_id (till_cart_line_get_product (line)),
                              till_cart_line_get_quantity (line));
    }
  return g_string_free (out, FALSE);
}

static void
assert_journal_verifies (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = 0;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s (seq %" G_GINT64_FORMAT ")",
                 error ? error->message : "", bad_seq);
}

/* /core/sale/commit: every table gets its rows, and they agree */
START_TEST (test_commit)
{
  g_autoptr (TillSale) sale = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *body = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *expected_payload = NULL;
  g_autofree char *hash_hex = NULL;
  g_autofree char *expected_hash = NULL;
  g_autofree char *day = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  const TillSaleLine *line;
  gint64              before_us = g_get_real_time ();

  add (cola_id, 2000);
  add (chips_id, 1000);
  add (apple_id, 457);
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  ck_assert_int_eq (till_cart_get_total (cart), 700 + 1280 + 273);

  sale = commit (5000);
  ck_assert_str_eq (till_sale_get_uuid (sale), uuid);
  ck_assert_int_eq (till_sale_get_receipt_no (sale), 1);
  ck_assert_str_eq (till_sale_get_till_id (sale), "T01");
  ck_assert_int_eq (till_sale_get_subtotal (sale), 2253);
  ck_assert_int_eq (till_sale_get_rounding (sale), 0);
  ck_assert_int_eq (till_sale_get_total (sale), 2253);
  ck_assert_int_eq (till_sale_get_tendered (sale), 5000);
  ck_assert_int_eq (till_sale_get_change (sale), 2747);
  ck_assert_int_eq (till_sale_get_item_count (sale), 4);
  ck_assert_int_eq (till_sale_get_journal_seq (sale), 1);
  ck_assert_str_eq (till_sale_get_cashier_code (sale), "1001");
  ck_assert_str_eq (till_sale_get_cashier_name (sale), "张三");
  ck_assert_uint_eq (till_sale_get_n_lines (sale), 3);
  line = till_sale_get_line (sale, 2);
  ck_assert_int_eq (line->line_no, 3);
  ck_assert_str_eq (line->sku, "F001");
  ck_assert_str_eq (line->name, "红富士苹果");
  ck_assert_str_eq (line->unit, "kg");
  ck_assert_int_eq (line->quantity, 457);
  ck_assert_int_eq (line->unit_price, 598);
  ck_assert_int_eq (line->amount, 273);
  ck_assert_int_eq (line->vat_rate, 900);
  ck_assert (line->weighed);

  /* The cart is empty and is a new sale. */
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), uuid);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_line", NULL), 0);

  /* sale */
  ck_assert_int_eq (query_int ("SELECT receipt_no FROM sale WHERE uuid = ?", uuid), 1);
  ck_assert_int_eq (query_int ("SELECT total FROM sale WHERE uuid = ?", uuid), 2253);
  ck_assert_int_eq (query_int ("SELECT item_count FROM sale WHERE uuid = ?", uuid), 4);
  ck_assert_int_eq (query_int ("SELECT cashier_id FROM sale WHERE uuid = ?", uuid),
                    till_user_get_id (cashier));
  ck_assert_int_ge (query_int ("SELECT created_us FROM sale WHERE uuid = ?", uuid), before_us);
  day = query_text ("SELECT business_day FROM sale WHERE uuid = ?", uuid);
  {
    g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

    ck_assert_str_eq (day, today);
  }
  /* sale_line: a copy of the products, amounts adding up to the subtotal */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale_line WHERE sale_uuid = ?", uuid), 3);
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM sale_line WHERE sale_uuid = ?", uuid),
                    2253);
  ck_assert_int_eq (
      query_int ("SELECT quantity FROM sale_line WHERE sale_uuid = ? AND sku = 'C001'", uuid),
      2000);
  /* payment */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM payment WHERE sale_uuid = ? AND "
                               "method = 'cash' AND amount = 2253 AND tendered = 5000 AND "
                               "change = 2747",
                               uuid),
                    1);
  /* stock_move: minus what was sold, one per line */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move WHERE ref_uuid = ? AND "
                               "reason = 'sale'",
                               uuid),
                    3);
  ck_assert_int_eq (query_int ("SELECT sum(delta) FROM stock_move WHERE ref_uuid = ?", uuid),
                    -(2000 + 1000 + 457));
  {
    g_autofree char *sql = g_strdup_printf ("SELECT delta FROM stock_move WHERE ref_uuid = ? "
                                            "AND product_id = %" G_GINT64_FORMAT,
                                            apple_id);

    ck_assert_int_eq (query_int (sql, uuid), -457);
  }
  /* journal: the sale's entry, its body the canonical JSON */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'sale' AND "
                               "ref_uuid = ? AND seq = 1",
                               uuid),
                    1);
  body = query_text ("SELECT body FROM journal WHERE seq = 1", NULL);
  ck_assert (g_str_has_prefix (body, "{\"uuid\":\""));
  ck_assert_ptr_nonnull (strstr (body, "\"receipt_no\":1,"));
  ck_assert_ptr_nonnull (strstr (body, "\"total\":2253,"));
  ck_assert_ptr_nonnull (strstr (body, "\"name\":\"乐事薯片 \\\"原味\\\" 70g\""));
  ck_assert_ptr_nonnull (strstr (body, "\"payments\":[{\"method\":\"cash\",\"amount\":2253,"
                                       "\"tendered\":5000,\"change\":2747}]}"));
  ck_assert_ptr_null (strchr (body, '\n'));
  ck_assert_ptr_null (strstr (body, ": "));
  /* The hash the receipt carries is the journal entry's. */
  hash_hex = query_text ("SELECT lower(hex(entry_hash)) FROM journal WHERE seq = 1", NULL);
  ck_assert_str_eq (till_sale_get_journal_hash (sale), hash_hex);
  ck_assert_uint_eq (strlen (hash_hex), 64);
  /* outbox: one row carrying the same JSON and the journal link, with its hash */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE kind = 'sale' AND "
                               "ref_uuid = ? AND state = 'pending'",
                               uuid),
                    1);
  payload = query_text ("SELECT payload FROM outbox WHERE ref_uuid = ?", uuid);
  expected_payload =
      g_strdup_printf ("{\"sale\":%s,\"journal_seq\":1,\"journal_hash\":\"%s\"}", body, hash_hex);
  ck_assert_str_eq (payload, expected_payload);
  expected_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, payload, -1);
  {
    g_autofree char *stored_hash =
        query_text ("SELECT lower(hex(payload_sha256)) FROM outbox", NULL);

    ck_assert_str_eq (stored_hash, expected_hash);
  }
  assert_journal_verifies ();
}
END_TEST

/* /core/sale/exact-cash: no change */
START_TEST (test_exact_cash)
{
  g_autoptr (TillSale) sale = NULL;

  add (chips_id, 1000);
  sale = commit (1280);
  ck_assert_int_eq (till_sale_get_change (sale), 0);
}
END_TEST

/* /core/sale/rounding: 抹零 is recorded with the sale */
START_TEST (test_rounding)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) loaded = NULL;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  add (odd_id, 1000);
  ck_assert_int_eq (till_cart_get_total (cart), 1200);

  /* ¥12.00 is enough once 抹零 took off the ¥0.34. */
  sale = commit (1200);
  ck_assert_int_eq (till_sale_get_subtotal (sale), 1234);
  ck_assert_int_eq (till_sale_get_rounding (sale), -34);
  ck_assert_int_eq (till_sale_get_total (sale), 1200);
  ck_assert_int_eq (till_sale_get_change (sale), 0);

  loaded = till_sale_load (store, till_sale_get_uuid (sale), &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_rounding (loaded), -34);
  ck_assert_int_eq (query_int ("SELECT amount FROM payment", NULL), 1200);
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM sale_line", NULL), 1234);

  /* Rounding to the jiao can go up: ¥12.35 → ¥12.40. */
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_ROUND_JIAO);
  add (odd_id, 1000);
  {
    g_autoptr (TillProduct) penny = NULL;
    TillProductSpec spec = {
      .sku = "P1", .name = "一分", .unit = "个", .price = 1, .vat_rate = 1300, .active = TRUE
    };
    gint64 id = till_catalog_add_product (catalog, &spec, &error);

    ck_assert (id > 0);
    add (id, 1000);
  }
  g_clear_object (&sale);
  sale = commit (2000);
  ck_assert_int_eq (till_sale_get_total (sale), 1240);
  ck_assert_int_eq (till_sale_get_rounding (sale), 5);
  ck_assert_int_eq (till_sale_get_change (sale), 760);
}
END_TEST

/* /core/sale/receipt-numbers: 1, 2, 3, never reused, even around a failed commit */
START_TEST (test_receipt_numbers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;
  g_autoptr (TillSale) third = NULL;
  g_autoptr (TillSale) failed = NULL;
  g_autofree char *formatted = NULL;

  add (cola_id, 1000);
  first = commit (1000);
  add (cola_id, 1000);
  /* The cart was journaled before the database turned read-only: the commit fails. */
  ck_assert (till_store_exec (store, "PRAGMA query_only = 1", NULL));
  failed = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
  ck_assert_ptr_null (failed);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_STORAGE));
  ck_assert (till_store_exec (store, "PRAGMA query_only = 0", NULL));
  second = commit (1000);
  add (chips_id, 1000);
  third = commit (2000);

  ck_assert_int_eq (till_sale_get_receipt_no (first), 1);
  ck_assert_int_eq (till_sale_get_receipt_no (second), 2);
  ck_assert_int_eq (till_sale_get_receipt_no (third), 3);
  ck_assert_int_eq (query_int ("SELECT count(DISTINCT receipt_no) FROM sale", NULL), 3);
  formatted = till_sale_format_receipt_no (third);
  ck_assert_str_eq (formatted, "T01-00000003");

  /* The till id comes from the settings. */
  ck_assert (till_store_set_setting (store, "till.id", "T07", &error));
  add (chips_id, 1000);
  {
    g_autoptr (TillSale) fourth = commit (2000);
    g_autofree char *text = till_sale_format_receipt_no (fourth);

    ck_assert_str_eq (text, "T07-00000004");
    ck_assert_str_eq (till_sale_get_till_id (fourth), "T07");
  }
}
END_TEST

/* /core/sale/refused: an empty cart or too little cash writes nothing */
START_TEST (test_refused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *lines_before = NULL;
  g_autofree char *lines_after = NULL;

  before = count_rows ();
  sale = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
  ck_assert_ptr_null (sale);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_EMPTY));
  g_clear_error (&error);
  after = count_rows ();
  ck_assert_str_eq (after, before);

  add (chips_id, 1000);
  g_free (before);
  before = count_rows ();
  lines_before = cart_lines ();
  sale = till_sale_commit_cash (cart, journal, cashier, 1279, &error);
  ck_assert_ptr_null (sale);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_INSUFFICIENT));
  g_free (after);
  after = count_rows ();
  ck_assert_str_eq (after, before);
  lines_after = cart_lines ();
  ck_assert_str_eq (lines_after, lines_before);
}
END_TEST

static void
assert_failed_commit_changes_nothing (const char *pragma_on, const char *pragma_off)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autofree char *rows_before = NULL;
  g_autofree char *rows_after = NULL;
  g_autofree char *lines_before = NULL;
  g_autofree char *lines_after = NULL;
  gint64           total;

  add (cola_id, 2000);
  add (apple_id, 800);
  rows_before = count_rows ();
  lines_before = cart_lines ();
  total = till_cart_get_total (cart);

  ck_assert (till_store_exec (store, pragma_on, NULL));
  sale = till_sale_commit_cash (cart, journal, cashier, 5000, &error);
  ck_assert_ptr_null (sale);
  ck_assert_msg (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_STORAGE), "%s",
                 error ? error->message : "no error");
  ck_assert_str_ne (error->message, "");
  ck_assert (!till_store_in_transaction (store));
  ck_assert (till_store_exec (store, pragma_off, NULL));

  rows_after = count_rows ();
  ck_assert_str_eq (rows_after, rows_before);
  lines_after = cart_lines ();
  ck_assert_str_eq (lines_after, lines_before);
  ck_assert_int_eq (till_cart_get_total (cart), total);

  /* The same cart sells once the database is writable again. */
  sale = commit (5000);
  ck_assert_int_eq (till_sale_get_total (sale), total);
  ck_assert_int_eq (till_sale_get_receipt_no (sale), 1);
  assert_journal_verifies ();
}

/* /core/sale/read-only-database */
START_TEST (test_read_only)
{
  assert_failed_commit_changes_nothing ("PRAGMA query_only = 1", "PRAGMA query_only = 0");
}
END_TEST

/* /core/sale/full-database: no room for the sale's pages */
START_TEST (test_full)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autofree char *full = NULL;
  g_autofree char *rows_before = NULL;
  g_autofree char *rows_after = NULL;
  g_autofree char *lines_before = NULL;
  g_autofree char *lines_after = NULL;

  /* A sale of 50 lines: its journal body alone is larger than a page, so recording
   * it needs new pages whatever room the existing ones have. */
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *sku = g_strdup_printf ("FULL%02d", i);
      g_autofree char *name = g_strdup_printf ("康师傅红烧牛肉面 大食桶 第%d款", i);

      add (add_product (sku, name, "桶", 450 + i, FALSE), 1000);
    }

  /* No free pages, and no growing. */
  ck_assert (till_store_exec (store, "VACUUM", NULL));
  full = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                          query_int ("PRAGMA page_count", NULL));
  ck_assert (till_store_exec (store, full, NULL));

  rows_before = count_rows ();
  lines_before = cart_lines ();
  sale = till_sale_commit_cash (cart, journal, cashier, 100000, &error);
  ck_assert_ptr_null (sale);
  ck_assert_msg (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_STORAGE), "%s",
                 error ? error->message : "no error");
  ck_assert_msg (strstr (error->message, "full") != NULL, "%s", error->message);
  ck_assert (!till_store_in_transaction (store));

  ck_assert (till_store_exec (store, "PRAGMA max_page_count = 1000000", NULL));
  rows_after = count_rows ();
  ck_assert_str_eq (rows_after, rows_before);
  lines_after = cart_lines ();
  ck_assert_str_eq (lines_after, lines_before);

  sale = commit (100000);
  ck_assert_int_eq (till_sale_get_receipt_no (sale), 1);
  ck_assert_uint_eq (till_sale_get_n_lines (sale), 50);
  assert_journal_verifies ();
}
END_TEST

/* /core/sale/load: back by uuid, by receipt number, and the last one */
START_TEST (test_load)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) second = NULL;
  g_autoptr (TillSale) by_uuid = NULL;
  g_autoptr (TillSale) by_receipt = NULL;
  g_autoptr (TillSale) last = NULL;
  g_autoptr (TillSale) missing = NULL;
  g_autoptr (GDateTime) created = NULL;

  missing = till_sale_load_last (store, &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND));
  g_clear_error (&error);

  add (cola_id, 1000);
  add (apple_id, 1234);
  first = commit (10000);
  add (chips_id, 3000);
  second = commit (5000);

  by_uuid = till_sale_load (store, till_sale_get_uuid (first), &error);
  ck_assert_msg (by_uuid != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_receipt_no (by_uuid), 1);
  ck_assert_uint_eq (till_sale_get_n_lines (by_uuid), 2);
  ck_assert_str_eq (till_sale_get_line (by_uuid, 1)->sku, "F001");
  ck_assert_int_eq (till_sale_get_line (by_uuid, 1)->quantity, 1234);
  ck_assert (till_sale_get_line (by_uuid, 1)->weighed);
  ck_assert (!till_sale_get_line (by_uuid, 0)->weighed);
  ck_assert_int_eq (till_sale_get_total (by_uuid), till_sale_get_total (first));
  ck_assert_int_eq (till_sale_get_tendered (by_uuid), 10000);
  ck_assert_int_eq (till_sale_get_change (by_uuid), till_sale_get_change (first));
  ck_assert_int_eq (till_sale_get_item_count (by_uuid), 2);
  ck_assert_str_eq (till_sale_get_journal_hash (by_uuid), till_sale_get_journal_hash (first));
  ck_assert_str_eq (till_sale_get_cashier_name (by_uuid), "张三");
  created = till_sale_get_created (by_uuid);
  ck_assert_int_eq (g_date_time_to_unix (created),
                    query_int ("SELECT created_us / 1000000 FROM sale WHERE receipt_no = 1", NULL));

  by_receipt = till_sale_load_by_receipt (store, 2, &error);
  ck_assert_msg (by_receipt != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (by_receipt), till_sale_get_uuid (second));
  ck_assert_int_eq (till_sale_get_line (by_receipt, 0)->quantity, 3000);

  last = till_sale_load_last (store, &error);
  ck_assert_msg (last != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (last), till_sale_get_uuid (second));

  missing = till_sale_load_by_receipt (store, 3, &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND));
  g_clear_error (&error);
  missing = till_sale_load (store, "018bcfe5-687b-7abc-8def-0123456789ab", &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_NOT_FOUND));
}
END_TEST

/* /core/sale/retry-after-unknown-outcome: the same sale uuid is never recorded twice */
START_TEST (test_retry)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) other = NULL;
  g_autoptr (TillSale) recorded = NULL;
  g_autoptr (TillSale) retried = NULL;
  TillCart *saved;

  add (cola_id, 1000);
  add (chips_id, 1000);

  /* A second view of the same journaled cart records the sale, as a commit whose
   * answer was lost would have. */
  other = till_cart_new (store, catalog);
  ck_assert (till_cart_restore (other, &error));
  ck_assert_str_eq (till_cart_get_sale_uuid (other), till_cart_get_sale_uuid (cart));
  saved = cart;
  cart = other;
  recorded = commit (2000);
  cart = saved;

  /* The first cart still holds the sale; committing it again returns that sale. */
  retried = commit (2000);
  ck_assert_str_eq (till_sale_get_uuid (retried), till_sale_get_uuid (recorded));
  ck_assert_int_eq (till_sale_get_receipt_no (retried), till_sale_get_receipt_no (recorded));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale", NULL), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal", NULL), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox", NULL), 1);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), till_sale_get_uuid (recorded));
}
END_TEST

/* /core/sale/restore-sold-cart: a journaled cart whose sale is recorded (say, from
 * a database copied at the wrong moment) is discarded, never sold twice */
START_TEST (test_restore_sold_cart)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillCart) restored = NULL;
  g_autofree char *insert = NULL;

  add (cola_id, 1000);
  sale = commit (1000);
  insert = g_strdup_printf ("INSERT INTO cart (id, sale_uuid, started_us) VALUES (1, '%s', 1);"
                            "INSERT INTO cart_line (position, product_id, quantity, unit_price) "
                            "VALUES (1, %" G_GINT64_FORMAT ", 1000, 350)",
                            till_sale_get_uuid (sale), cola_id);
  ck_assert (till_store_exec (store, insert, NULL));

  restored = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_restore (restored, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (till_cart_get_n_lines (restored), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (restored), till_sale_get_uuid (sale));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_line", NULL), 0);
}
END_TEST

/* /core/sale/journal-after-20-sales */
START_TEST (test_journal_20)
{
  for (int i = 0; i < 20; i++)
    {
      g_autoptr (TillSale) sale = NULL;

      add (cola_id, 1000 * (1 + i % 3));
      if (i % 2)
        add (apple_id, 100 + i * 37);
      sale = commit (100000);
      ck_assert_int_eq (till_sale_get_receipt_no (sale), i + 1);
      ck_assert_int_eq (till_sale_get_journal_seq (sale), i + 1);
    }
  assert_journal_verifies ();
  ck_assert_int_eq (query_int ("SELECT count(*) FROM sale s JOIN journal j ON j.seq = "
                               "s.journal_seq AND j.ref_uuid = s.uuid",
                               NULL),
                    20);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox", NULL), 20);
}
END_TEST

/* /core/sale/discounts: overrides and discounts are recorded on sale_line and
 * the recorded amounts add up to the sale's subtotal */
START_TEST (test_discounts_recorded)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) loaded = NULL;
  g_autoptr (TillUser) supervisor = NULL;
  gint64 sum = 0;

  ck_assert (till_user_create (store, "2001", "李主管", TILL_ROLE_SUPERVISOR, "5678", &error) > 0);
  supervisor = till_user_authenticate (store, "2001", "5678", &error);
  ck_assert_msg (supervisor != NULL, "%s", error ? error->message : "");
  add (cola_id, 3000);
  add (chips_id, 1000);
  add (apple_id, 1234);
  ck_assert (
      till_cart_override_price (cart, journal, supervisor, 1, 1100, "damaged", NULL, &error));
  ck_assert (till_cart_set_line_discount (cart, journal, supervisor, 0, 1000, NULL, NULL, &error));
  ck_assert (till_cart_set_sale_discount (cart, journal, supervisor, 500, NULL, NULL, &error));
  sale = commit (100000);
  loaded = till_sale_load (store, till_sale_get_uuid (sale), &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < till_sale_get_n_lines (loaded); i++)
    {
      const TillSaleLine *line = till_sale_get_line (loaded, i);

      ck_assert_int_eq (line->amount, till_money_line_amount (line->unit_price, line->quantity) -
                                          line->line_discount - line->sale_discount);
      ck_assert_int_gt (line->sale_discount, 0);
      sum += line->amount;
    }
  ck_assert_int_eq (sum, till_sale_get_subtotal (loaded));
  ck_assert_int_eq (till_sale_get_line (loaded, 0)->discount_bp, 1000);
  ck_assert_int_eq (till_sale_get_line (loaded, 0)->line_discount, 105);
  ck_assert_int_eq (till_sale_get_line (loaded, 0)->original_price, -1);
  ck_assert_int_eq (till_sale_get_line (loaded, 1)->original_price, 1280);
  ck_assert_int_eq (till_sale_get_line (loaded, 1)->unit_price, 1100);
  ck_assert_int_eq (till_sale_get_line (loaded, 2)->original_price, -1);
  assert_journal_verifies ();
}
END_TEST

static TillPayment *
new_payment (void)
{
  g_autoptr (GError) error = NULL;
  TillPayment *payment = till_payment_new (cart, &error);

  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  return payment;
}

static void
apply (TillPayment *payment, TillSalePayment *tender)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) owned = tender;

  ck_assert_msg (till_payment_add (payment, owned, &error), "%s", error ? error->message : "");
}

static TillSalePayment *
card_tender (gint64 amount, const char *reference, const char *account)
{
  TillSalePayment *card = till_sale_payment_new ("card", TILL_TENDER_KIND_CARD, amount);

  card->reference = g_strdup (reference);
  card->account = g_strdup (account);
  return card;
}

static TillSalePayment *
cash_tender (gint64 amount, gint64 handed)
{
  TillSalePayment *cash = till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, amount);

  cash->tendered = handed;
  cash->change = handed - amount;
  return cash;
}

/* /core/sale/tenders/mixed: cash + card + stored value + voucher in one sale */
START_TEST (test_commit_mixed)
{
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char       *uuid = NULL;
  g_autofree char       *body = NULL;
  g_autofree char       *payload = NULL;
  g_autofree char       *state = NULL;
  g_autofree char       *voucher_sale = NULL;
  TillSalePayment       *tender;
  const TillSalePayment *recorded;

  ck_assert (till_stored_value_open (store, "8800000000000012", "王芳", 50000, 5000, &error));
  ck_assert (till_voucher_issue (store, "V2026001", 1000, 5000, NULL, NULL, &error));
  add (chips_id, 5 * TILL_QUANTITY_ONE); /* 64.00 */
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  payment = new_payment ();

  tender = till_sale_payment_new ("voucher", TILL_TENDER_KIND_VOUCHER, 1000);
  tender->reference = g_strdup ("V2026001");
  apply (payment, tender);
  tender = till_sale_payment_new ("stored-value", TILL_TENDER_KIND_STORED_VALUE, 2000);
  tender->reference = g_strdup ("8800000000000012");
  tender->account = g_strdup ("8800****0012");
  apply (payment, tender);
  apply (payment, card_tender (1500, "A1B2C3", "**** 1234"));
  apply (payment, cash_tender (1900, 2000));
  ck_assert (till_payment_is_complete (payment));

  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (sale), uuid);
  ck_assert_int_eq (till_sale_get_total (sale), 6400);
  ck_assert_int_eq (till_sale_get_rounding (sale), 0);
  ck_assert_int_eq (till_sale_get_tendered (sale), 2000);
  ck_assert_int_eq (till_sale_get_change (sale), 100);
  ck_assert_uint_eq (till_sale_get_n_payments (sale), 4);

  /* Payment rows with kind, account, reference. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM payment WHERE sale_uuid = ?", uuid), 4);
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM payment WHERE sale_uuid = ?", uuid), 6400);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM payment WHERE kind = 'card' AND "
                               "account = '**** 1234' AND reference = 'A1B2C3'",
                               NULL),
                    1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM payment WHERE kind = 'stored-value' AND "
                               "account = '8800****0012'",
                               NULL),
                    1);
  /* The card's ledger, the voucher, the cart's applied tenders. */
  ck_assert_int_eq (query_int ("SELECT amount FROM sv_ledger WHERE sale_uuid = ?", uuid), -2000);
  ck_assert_int_eq (query_int ("SELECT sum(amount) FROM sv_ledger", NULL), 53000);
  state = query_text ("SELECT state FROM voucher WHERE code = 'V2026001'", NULL);
  ck_assert_str_eq (state, "redeemed");
  voucher_sale = query_text ("SELECT sale_uuid FROM voucher WHERE code = 'V2026001'", NULL);
  ck_assert_str_eq (voucher_sale, uuid);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 0);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);

  /* The journal and the outbox carry every tender. */
  body = query_text ("SELECT body FROM journal WHERE kind = 'sale' AND ref_uuid = ?", uuid);
  payload = query_text ("SELECT payload FROM outbox WHERE ref_uuid = ?", uuid);
  ck_assert_ptr_nonnull (strstr (payload, body));
  ck_assert_msg (strstr (body, "{\"method\":\"voucher\",\"kind\":\"voucher\",\"amount\":1000,"
                               "\"tendered\":1000,\"change\":0,\"reference\":\"V2026001\","
                               "\"account\":null,\"attempt\":null}") != NULL,
                 "%s", body);
  ck_assert_msg (strstr (body, "{\"method\":\"stored-value\",\"kind\":\"stored-value\","
                               "\"amount\":2000,\"tendered\":2000,\"change\":0,"
                               "\"reference\":\"8800000000000012\",\"account\":\"8800****0012\","
                               "\"attempt\":null}") != NULL,
                 "%s", body);
  ck_assert_msg (strstr (body, "{\"method\":\"card\",\"kind\":\"card\",\"amount\":1500,"
                               "\"tendered\":1500,\"change\":0,\"reference\":\"A1B2C3\","
                               "\"account\":\"**** 1234\",\"attempt\":null}") != NULL,
                 "%s", body);
  ck_assert_msg (strstr (body, "{\"method\":\"cash\",\"amount\":1900,\"tendered\":2000,"
                               "\"change\":100}]}") != NULL,
                 "%s", body);
  assert_journal_verifies ();

  loaded = till_sale_load (store, uuid, &error);
  ck_assert_msg (loaded != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_payments (loaded), 4);
  recorded = till_sale_get_payment (loaded, 2);
  ck_assert_int_eq (recorded->line_no, 3);
  ck_assert_str_eq (recorded->method, "card");
  ck_assert_int_eq (recorded->kind, TILL_TENDER_KIND_CARD);
  ck_assert_str_eq (recorded->account, "**** 1234");
  ck_assert_str_eq (recorded->reference, "A1B2C3");
  recorded = till_sale_get_payment (loaded, 0);
  ck_assert_int_eq (recorded->kind, TILL_TENDER_KIND_VOUCHER);
  ck_assert_int_eq (till_sale_get_tendered (loaded), 2000);
  ck_assert_int_eq (till_sale_get_change (loaded), 100);

  /* The voucher and the card's balance were used once: the same tenders
   * on the next sale are refused in its transaction. */
  {
    g_autoptr (TillSale) second = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    add (chips_id, 5 * TILL_QUANTITY_ONE);
    tender = till_sale_payment_new ("voucher", TILL_TENDER_KIND_VOUCHER, 1000);
    tender->reference = g_strdup ("V2026001");
    apply (payment, tender);
    apply (payment, card_tender (5400, "A1B2C4", "**** 1234"));
    before = count_rows ();
    second = till_sale_commit (cart, payment, journal, cashier, &error);
    ck_assert_ptr_null (second);
    ck_assert_msg (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID), "%s",
                   error->message);
    after = count_rows ();
    ck_assert_str_eq (before, after);
    ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 2);
  }
}
END_TEST

/* /core/sale/tenders/incomplete: a payment short of the total records nothing */
START_TEST (test_commit_incomplete)
{
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  add (chips_id, 2 * TILL_QUANTITY_ONE);
  payment = new_payment ();
  apply (payment, card_tender (2000, "123456", "**** 1234"));
  before = count_rows ();
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_ptr_null (sale);
  ck_assert (g_error_matches (error, TILL_SALE_ERROR, TILL_SALE_ERROR_INSUFFICIENT));
  ck_assert_msg (strstr (error->message, "5.60") != NULL, "%s", error->message);
  after = count_rows ();
  ck_assert_str_eq (before, after);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);
  g_clear_error (&error);

  /* Cash for the rest through the cash commit: both tenders recorded. */
  sale = till_sale_commit_cash (cart, journal, cashier, 1000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_payments (sale), 2);
  ck_assert_str_eq (till_sale_get_payment (sale, 0)->method, "card");
  ck_assert_int_eq (till_sale_get_payment (sale, 1)->amount, 560);
  ck_assert_int_eq (till_sale_get_change (sale), 440);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 0);
}
END_TEST

static void
insert_wallet_attempt (const char *out_trade_no, const char *state, gint64 amount)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "INSERT INTO wallet_payment (out_trade_no, provider, "
                                        "cart_uuid, amount, auth_code, state, created_us, "
                                        "updated_us) VALUES (?, 'wechat', ?, ?, '1345****5678', ?, "
                                        "1, 1)",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, out_trade_no, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, till_cart_get_sale_uuid (cart), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, amount);
  sqlite3_bind_text (stmt, 4, state, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
}

/* /core/sale/tenders/wallet-unconfirmed: a wallet tender is recorded only
 * when its attempt is confirmed paid */
START_TEST (test_commit_wallet_unconfirmed)
{
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *attempt = NULL;
  g_autofree char *recorded_in = NULL;
  TillSalePayment *wallet;

  add (chips_id, 1 * TILL_QUANTITY_ONE);
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  insert_wallet_attempt ("T0120261123120000001", "pending", 1280);
  payment = new_payment ();
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);
  wallet = till_sale_payment_new ("wechat", TILL_TENDER_KIND_WALLET, 1280);
  wallet->attempt = g_strdup ("T0120261123120000001");
  apply (payment, wallet);
  ck_assert (till_payment_is_complete (payment));

  before = count_rows ();
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_ptr_null (sale);
  ck_assert_msg (error != NULL && error->domain == TILL_TENDER_ERROR, "%s",
                 error ? error->message : "no error");
  g_clear_error (&error);
  after = count_rows ();
  ck_assert_str_eq (before, after);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 1);

  /* Confirmed by the provider: now it is recorded, with its attempt. */
  ck_assert (till_store_exec (store, "UPDATE wallet_payment SET state = 'paid'", NULL));
  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  attempt = query_text ("SELECT attempt FROM payment WHERE sale_uuid = ?", uuid);
  ck_assert_str_eq (attempt, "T0120261123120000001");
  recorded_in = query_text ("SELECT sale_uuid FROM wallet_payment", NULL);
  ck_assert_str_eq (recorded_in, uuid);
  ck_assert_int_eq (till_sale_get_payment (sale, 0)->kind, TILL_TENDER_KIND_WALLET);
}
END_TEST

/* /core/sale/tenders/stale-payment: a wallet payment confirmed after the
 * payment object was loaded is recorded, not dropped with the cart */
START_TEST (test_commit_stale_payment)
{
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;

  add (chips_id, 1 * TILL_QUANTITY_ONE);
  payment = new_payment ();
  apply (payment, card_tender (500, "123456", "**** 1234"));
  /* Confirmed in the background (till-wallet-service) for the rest. */
  insert_wallet_attempt ("T0120261123120000009", "paid", 780);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);

  sale = till_sale_commit (cart, payment, journal, cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_payments (sale), 2);
  ck_assert_str_eq (till_sale_get_payment (sale, 1)->attempt, "T0120261123120000009");
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM wallet_payment WHERE sale_uuid IS NOT NULL", NULL), 1);
}
END_TEST

/* /core/sale/tenders/void-captured: a sale with card or wallet money on it
 * can't be voided or held until that is taken off */
START_TEST (test_void_captured)
{
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (till_user_create (store, "9001", "王经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  manager = till_user_authenticate (store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  add (chips_id, 2 * TILL_QUANTITY_ONE);
  payment = new_payment ();
  apply (payment, card_tender (1000, "123456", "**** 1234"));
  apply (payment, cash_tender (500, 500));

  ck_assert (!till_cart_void_sale (cart, journal, manager, "顾客不要了", NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_CAPTURED));
  ck_assert_str_eq (error->message, "Take off the card and wallet payments first");
  g_clear_error (&error);
  ck_assert_int_eq (till_held_sale_suspend (cart, journal, manager, NULL, &error), 0);
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_CAPTURED));
  g_clear_error (&error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'void-sale'", NULL), 0);

  /* The card is taken off (voided on the terminal): the void goes through
   * and the cash left applied goes with the cart. */
  ck_assert (till_payment_remove (payment, 0, &error));
  ck_assert_msg (till_cart_void_sale (cart, journal, manager, "顾客不要了", NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_tender", NULL), 0);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);
}
END_TEST

static Suite *
sale_suite (void)
{
  Suite *suite = suite_create ("core/sale");
  TCase *tc;

  tc = tcase_create ("commit");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_commit);
  tcase_add_test (tc, test_exact_cash);
  tcase_add_test (tc, test_rounding);
  tcase_add_test (tc, test_receipt_numbers);
  tcase_add_test (tc, test_retry);
  tcase_add_test (tc, test_restore_sold_cart);
  tcase_add_test (tc, test_journal_20);
  tcase_add_test (tc, test_discounts_recorded);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("failure");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_refused);
  tcase_add_test (tc, test_read_only);
  tcase_add_test (tc, test_full);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("tenders");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_commit_mixed);
  tcase_add_test (tc, test_commit_incomplete);
  tcase_add_test (tc, test_commit_wallet_unconfirmed);
  tcase_add_test (tc, test_commit_stale_payment);
  tcase_add_test (tc, test_void_captured);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("load");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_load);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (sale_suite ());
}
