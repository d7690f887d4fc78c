/* test-cart.c: tests for src/core/till-cart.c and till-cart-line.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static char        *db_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillCart    *cart;

/* The shop: counted goods with barcodes, fruit by weight with a PLU, a withdrawn
 * product, and something very dear. */
static gint64 cola_id;  /* 可口可乐 330ml, ¥3.50, barcode cola_code */
static gint64 chips_id; /* 乐事薯片, ¥12.80, PLU 2001 */
static gint64 apple_id; /* 红富士苹果, ¥5.98/kg, weighed, PLU 10001, barcode apple_code */
static gint64 old_id;   /* withdrawn */
static gint64 gold_id;  /* 金条, ¥600,000.00 */
static char  *cola_code;
static char  *apple_code;

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static GArray *changes;

static gint64
add_product (const char *sku,
             const char *name,
             const char *unit,
             gint64      price,
             const char *plu,
             gboolean    weighed,
             gboolean    active)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = unit,
    .plu = plu,
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .weighed = weighed,
    .active = active,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  return id;
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static void
open_store (void)
{
  g_autoptr (GError) error = NULL;

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
}

static void
new_cart (void)
{
  g_clear_object (&cart);
  cart = till_cart_new (store, catalog);
  g_signal_connect (cart, "items-changed", G_CALLBACK (items_changed_cb), NULL);
}

static void
close_all (void)
{
  g_clear_object (&cart);
  g_clear_object (&catalog);
  g_clear_object (&store);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  open_store ();
  changes = g_array_new (FALSE, FALSE, sizeof (Change));

  cola_code = till_barcode_ean13_complete ("690123456789");
  apple_code = till_barcode_ean13_complete ("200000100010");
  cola_id = add_product ("C001", "可口可乐 330ml", "罐", 350, NULL, FALSE, TRUE);
  chips_id = add_product ("C002", "乐事薯片 原味 70g", "袋", 1280, "2001", FALSE, TRUE);
  apple_id = add_product ("F001", "红富士苹果", "kg", 598, "10001", TRUE, TRUE);
  old_id = add_product ("C003", "下架商品", "个", 100, NULL, FALSE, FALSE);
  gold_id = add_product ("G001", "金条 1kg", "条", 60000000, NULL, FALSE, TRUE);
  ck_assert (till_catalog_add_barcode (catalog, cola_id, cola_code, &error));
  ck_assert (till_catalog_add_barcode (catalog, apple_id, apple_code, &error));

  new_cart ();
}

static void
teardown (void)
{
  close_all ();
  g_clear_pointer (&changes, g_array_unref);
  g_clear_pointer (&cola_code, g_free);
  g_clear_pointer (&apple_code, g_free);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
}

static TillProduct *
product (gint64 id)
{
  g_autoptr (GError) error = NULL;
  TillProduct *found = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  return found;
}

static TillCartLine *
add (gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) item = product (id);
  TillCartLine *line = till_cart_add_product (cart, item, quantity, &error);

  ck_assert_msg (line != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_null (error);
  return line;
}

static gint64
query_int (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The journaled lines, as "product_id:quantity:unit_price" in order. */
static char *
journaled_lines (void)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  GString *out = g_string_new (NULL);

  sqlite3_prepare_v2 (till_store_get_db (store),
                      "SELECT product_id, quantity, unit_price FROM cart_line ORDER BY position",
                      -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s%lld:%lld:%lld", out->len > 0 ? " " : "",
                            sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
                            sqlite3_column_int64 (stmt, 2));
  return g_string_free (out, FALSE);
}

/* The cart in memory, in the same form. */
static char *
memory_lines (void)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);

      g_string_append_printf (out, "%s%lld:%lld:%lld", out->len > 0 ? " " : "",
                              (long long) till_product_get_id (till_cart_line_get_product (line)),
                              (long long) till_cart_line_get_quantity (line),
                              (long long) till_cart_line_get_unit_price (line));
    }
  return g_string_free (out, FALSE);
}

static void
assert_journal_matches_memory (void)
{
  g_autofree char *journaled = journaled_lines ();
  g_autofree char *in_memory = memory_lines ();

  ck_assert_str_eq (journaled, in_memory);
}

static void
assert_change (guint index, guint position, guint removed, guint added)
{
  Change *change;

  ck_assert_uint_gt (changes->len, index);
  change = &g_array_index (changes, Change, index);
  ck_assert_uint_eq (change->position, position);
  ck_assert_uint_eq (change->removed, removed);
  ck_assert_uint_eq (change->added, added);
}

/* /core/cart/add-line */
START_TEST (test_add_line)
{
  TillCartLine *line;
  g_autoptr (TillCartLine) item = NULL;

  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 0);
  ck_assert_ptr_nonnull (till_cart_get_sale_uuid (cart));
  ck_assert (till_uuid_is_valid (till_cart_get_sale_uuid (cart)));
  /* An empty cart has written nothing. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart"), 0);

  line = add (chips_id, 2000);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 2000);
  ck_assert_int_eq (till_cart_line_get_unit_price (line), 1280);
  ck_assert_int_eq (till_cart_line_get_amount (line), 2560);
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), chips_id);

  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_uint_eq (g_list_model_get_n_items (G_LIST_MODEL (cart)), 1);
  ck_assert (g_list_model_get_item_type (G_LIST_MODEL (cart)) == TILL_TYPE_CART_LINE);
  item = g_list_model_get_item (G_LIST_MODEL (cart), 0);
  ck_assert_ptr_eq (item, line);
  ck_assert_ptr_null (g_list_model_get_item (G_LIST_MODEL (cart), 1));
  ck_assert_int_eq (till_cart_get_subtotal (cart), 2560);
  ck_assert_int_eq (till_cart_get_total (cart), 2560);
  ck_assert_int_eq (till_cart_get_item_count (cart), 2);

  ck_assert_uint_eq (changes->len, 1);
  assert_change (0, 0, 0, 1);

  /* Journaled with the sale's uuid. */
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart"), 1);
  {
    g_autoptr (sqlite3_stmt) stmt = NULL;

    sqlite3_prepare_v2 (till_store_get_db (store), "SELECT sale_uuid FROM cart", -1, &stmt, NULL);
    ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
    ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), till_cart_get_sale_uuid (cart));
  }
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/merge-counted: the same counted product again adds to its line */
START_TEST (test_merge_counted)
{
  TillCartLine *first = add (cola_id, 1000);
  TillCartLine *again;

  add (chips_id, 1000);
  again = add (cola_id, 1000);
  ck_assert_ptr_eq (again, first);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (till_cart_line_get_quantity (first), 2000);
  ck_assert_int_eq (till_cart_line_get_amount (first), 700);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 700 + 1280);
  ck_assert_int_eq (till_cart_get_item_count (cart), 3);

  ck_assert_uint_eq (changes->len, 3);
  assert_change (2, 0, 1, 1);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/weighed-separate: weighed goods always get a line of their own */
START_TEST (test_weighed_separate)
{
  TillCartLine *first = add (apple_id, 457);
  TillCartLine *second = add (apple_id, 1200);

  ck_assert_ptr_ne (first, second);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  /* ¥5.98/kg × 0.457 kg = 2.73286 → 2.73; × 1.2 kg = 7.176 → 7.18 */
  ck_assert_int_eq (till_cart_line_get_amount (first), 273);
  ck_assert_int_eq (till_cart_line_get_amount (second), 718);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 991);
  /* One item per weighed line, whatever it weighs. */
  ck_assert_int_eq (till_cart_get_item_count (cart), 2);
  add (cola_id, 3000);
  ck_assert_int_eq (till_cart_get_item_count (cart), 5);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/add-barcode */
START_TEST (test_add_barcode)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line;

  line = till_cart_add_barcode (cart, cola_code, &error);
  ck_assert_msg (line != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), cola_id);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 1000);
  line = till_cart_add_barcode (cart, cola_code, &error);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 2000);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/add-barcode-errors: the catalog's error comes through unchanged */
START_TEST (test_add_barcode_errors)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *unknown = till_barcode_ean13_complete ("690000000001");
  g_autofree char *bad_check = g_strdup (cola_code);

  add (chips_id, 1000);
  g_array_set_size (changes, 0);

  ck_assert_ptr_null (till_cart_add_barcode (cart, unknown, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  g_clear_error (&error);

  bad_check[12] = bad_check[12] == '9' ? '0' : bad_check[12] + 1;
  ck_assert_ptr_null (till_cart_add_barcode (cart, bad_check, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID));
  g_clear_error (&error);

  /* A weighed product cannot be sold from its barcode alone: it needs a weight. */
  ck_assert_ptr_null (till_cart_add_barcode (cart, apple_code, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY));

  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_uint_eq (changes->len, 0);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/add-plu */
START_TEST (test_add_plu)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line;

  line = till_cart_add_plu (cart, "10001", 457, &error);
  ck_assert_msg (line != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), apple_id);
  ck_assert_int_eq (till_cart_line_get_amount (line), 273);

  line = till_cart_add_plu (cart, "2001", 3000, &error);
  ck_assert_msg (line != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_cart_line_get_quantity (line), 3000);

  ck_assert_ptr_null (till_cart_add_plu (cart, "99999", 1000, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  assert_journal_matches_memory ();
}
END_TEST

static int quantity_notifies;
static int amount_notifies;
static int total_notifies;

static void
count_notify_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(int *) data)++;
}

/* /core/cart/set-quantity */
START_TEST (test_set_quantity)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line;

  add (cola_id, 1000);
  line = add (chips_id, 1000);
  g_array_set_size (changes, 0);
  quantity_notifies = amount_notifies = total_notifies = 0;
  g_signal_connect (line, "notify::quantity", G_CALLBACK (count_notify_cb), &quantity_notifies);
  g_signal_connect (line, "notify::amount", G_CALLBACK (count_notify_cb), &amount_notifies);
  g_signal_connect (cart, "notify::total", G_CALLBACK (count_notify_cb), &total_notifies);

  ck_assert_msg (till_cart_set_quantity (cart, 1, 5000, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (till_cart_line_get_quantity (line), 5000);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 350 + 6400);
  ck_assert_int_eq (till_cart_get_item_count (cart), 6);
  ck_assert_int_eq (quantity_notifies, 1);
  ck_assert_int_eq (amount_notifies, 1);
  ck_assert_int_eq (total_notifies, 1);
  ck_assert_uint_eq (changes->len, 1);
  assert_change (0, 1, 1, 1);
  assert_journal_matches_memory ();

  /* The same quantity again changes nothing and tells nobody. */
  ck_assert (till_cart_set_quantity (cart, 1, 5000, &error));
  ck_assert_int_eq (quantity_notifies, 1);
  ck_assert_uint_eq (changes->len, 1);
}
END_TEST

/* /core/cart/remove-line */
START_TEST (test_remove_line)
{
  g_autoptr (GError) error = NULL;

  add (cola_id, 1000);
  add (chips_id, 1000);
  add (apple_id, 500);
  g_array_set_size (changes, 0);

  ck_assert (till_cart_remove_line (cart, 1, &error));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (till_cart_get_line (cart, 1))),
                    apple_id);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 350 + 299);
  assert_change (0, 1, 1, 0);
  assert_journal_matches_memory ();

  /* Lines added after a removal keep their order in the journal too. */
  add (chips_id, 2000);
  ck_assert (till_cart_remove_line (cart, 0, &error));
  assert_journal_matches_memory ();
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
}
END_TEST

/* /core/cart/clear */
START_TEST (test_clear)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL;

  add (cola_id, 1000);
  add (apple_id, 500);
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  g_array_set_size (changes, 0);

  ck_assert (till_cart_clear (cart, &error));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 0);
  ck_assert_int_eq (till_cart_get_item_count (cart), 0);
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), uuid);
  assert_change (0, 0, 2, 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM cart_line"), 0);

  /* Clearing an empty cart is harmless and silent. */
  ck_assert (till_cart_clear (cart, &error));
  ck_assert_uint_eq (changes->len, 1);
}
END_TEST

/* /core/cart/rounding: 抹零 under each rule, from the store setting and changed */
START_TEST (test_rounding)
{
  static const struct
  {
    const char *rule;
    gint64      total_1234;
    gint64      total_1235;
  } cases[] = {
    { "none", 1234, 1235 },
    { "drop-fen", 1230, 1230 },
    { "drop-jiao", 1200, 1200 },
    { "round-jiao", 1230, 1240 },
  };
  gint64 id = add_product ("X001", "测试商品", "个", 1234, NULL, FALSE, TRUE);
  gint64 penny_id = add_product ("X002", "一分钱", "个", 1, NULL, FALSE, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      TillRounding rule;

      ck_assert (till_store_set_setting (store, "rounding", cases[i].rule, &error));
      new_cart ();
      ck_assert (till_rounding_from_string (cases[i].rule, &rule));
      ck_assert_int_eq (till_cart_get_rounding_rule (cart), rule);

      ck_assert (till_cart_clear (cart, &error));
      add (id, 1000);
      ck_assert_int_eq (till_cart_get_subtotal (cart), 1234);
      ck_assert_int_eq (till_cart_get_total (cart), cases[i].total_1234);
      ck_assert_int_eq (till_cart_get_rounding (cart), cases[i].total_1234 - 1234);
      add (penny_id, 1000);
      ck_assert_int_eq (till_cart_get_subtotal (cart), 1235);
      ck_assert_int_eq (till_cart_get_total (cart), cases[i].total_1235);
      ck_assert_int_eq (till_cart_get_rounding (cart), cases[i].total_1235 - 1235);
    }

  /* Changing the rule recomputes at once. */
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  ck_assert_int_eq (till_cart_get_total (cart), 1235);
  ck_assert_int_eq (till_cart_get_rounding (cart), 0);
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  ck_assert_int_eq (till_cart_get_total (cart), 1200);
  ck_assert_int_eq (till_cart_get_rounding (cart), -35);
}
END_TEST

/* /core/cart/properties: what the UI binds to */
START_TEST (test_properties)
{
  g_autofree char *uuid = NULL;
  gint64           subtotal, rounding, total, item_count;
  guint            n_lines;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_FEN);
  add (chips_id, 1000);
  add (apple_id, 457);
  g_object_get (cart, "sale-uuid", &uuid, "subtotal", &subtotal, "rounding", &rounding, "total",
                &total, "item-count", &item_count, "n-lines", &n_lines, NULL);
  ck_assert_str_eq (uuid, till_cart_get_sale_uuid (cart));
  ck_assert_int_eq (subtotal, 1280 + 273);
  ck_assert_int_eq (total, 1550);
  ck_assert_int_eq (rounding, -3);
  ck_assert_int_eq (item_count, 2);
  ck_assert_uint_eq (n_lines, 2);
}
END_TEST

static void
assert_unchanged (const char *before, guint n_changes_before)
{
  g_autofree char *after = memory_lines ();

  ck_assert_str_eq (after, before);
  ck_assert_uint_eq (changes->len, n_changes_before);
  assert_journal_matches_memory ();
}

/* /core/cart/errors: every refused change leaves the cart and its journal alone */
START_TEST (test_errors)
{
  g_autoptr (TillProduct) cola = product (cola_id);
  g_autoptr (TillProduct) apple = product (apple_id);
  g_autoptr (TillProduct) old = product (old_id);
  g_autoptr (TillProduct) gold = product (gold_id);
  g_autofree char *before = NULL;
  gint64           subtotal;
  guint            n_changes;
  struct
  {
    TillProduct *product;
    gint64       quantity;
    GQuark       domain;
    int          code;
  } cases[] = {
    { cola, 0, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY },
    { cola, -1000, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY },
    { cola, 1500, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY },      /* half a can */
    { cola, 100000000, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY }, /* 100,000 cans */
    { cola, 99999000, TILL_CART_ERROR,
      TILL_CART_ERROR_QUANTITY }, /* too many with the 1 in the cart */
    { apple, 0, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY },
    { apple, 200001, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY }, /* over 200 kg */
    { old, 1000, TILL_CART_ERROR, TILL_CART_ERROR_INACTIVE },
    { gold, 2000, TILL_CART_ERROR, TILL_CART_ERROR_TOO_LARGE }, /* ¥1,200,000 */
  };

  add (cola_id, 1000);
  add (gold_id, 1000);
  before = memory_lines ();
  subtotal = till_cart_get_subtotal (cart);
  n_changes = changes->len;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      ck_assert_ptr_null (
          till_cart_add_product (cart, cases[i].product, cases[i].quantity, &error));
      ck_assert_msg (g_error_matches (error, cases[i].domain, cases[i].code), "case %u: %s", i,
                     error ? error->message : "no error");
      assert_unchanged (before, n_changes);
      ck_assert_int_eq (till_cart_get_subtotal (cart), subtotal);
    }

  /* A second gold bar makes ¥1,200,003.50: over the cap, as a new line or by quantity. */
  {
    g_autoptr (GError) error = NULL;

    ck_assert (!till_cart_set_quantity (cart, 1, 2000, &error));
    ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_TOO_LARGE));
    g_clear_error (&error);
    ck_assert (!till_cart_set_quantity (cart, 0, 0, &error));
    ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY));
    g_clear_error (&error);
    ck_assert (!till_cart_set_quantity (cart, 2, 1000, &error));
    ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE));
    g_clear_error (&error);
    ck_assert (!till_cart_remove_line (cart, 2, &error));
    ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE));
    assert_unchanged (before, n_changes);
  }
}
END_TEST

/* /core/cart/write-fails: when the journal cannot be written, nothing changes */
START_TEST (test_write_fails)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) chips = product (chips_id);
  g_autofree char *before = NULL;
  guint            n_changes;
  gint64           total;

  add (cola_id, 1000);
  add (apple_id, 300);
  before = memory_lines ();
  n_changes = changes->len;
  total = till_cart_get_total (cart);

  ck_assert (till_store_exec (store, "PRAGMA query_only = 1", NULL));

  ck_assert_ptr_null (till_cart_add_product (cart, chips, 1000, &error));
  /* Disk trouble, said so that a cashier understands it. */
  ck_assert (g_error_matches (error, TILL_STORE_ERROR, TILL_STORE_ERROR_IO));
  ck_assert_msg (g_str_has_prefix (error->message, "The till cannot save to its database"), "%s",
                 error->message);
  g_clear_error (&error);
  {
    g_autoptr (TillProduct) cola = product (cola_id);

    /* The merge path: cola is in the cart already. */
    ck_assert_ptr_null (till_cart_add_product (cart, cola, 1000, &error));
    ck_assert_ptr_nonnull (error);
    g_clear_error (&error);
  }
  ck_assert_ptr_null (till_cart_add_barcode (cart, cola_code, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!till_cart_set_quantity (cart, 0, 4000, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!till_cart_remove_line (cart, 0, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!till_cart_clear (cart, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (!till_store_in_transaction (store));

  ck_assert_int_eq (till_cart_get_total (cart), total);
  ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, 0)), 1000);
  ck_assert (till_store_exec (store, "PRAGMA query_only = 0", NULL));
  assert_unchanged (before, n_changes);

  /* And the cart works again once the store does. */
  add (chips_id, 1000);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/restore: a cart comes back whole after the store is closed */
START_TEST (test_restore)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *before = NULL;
  gint64           subtotal;

  add (cola_id, 1000);
  add (apple_id, 457);
  add (chips_id, 1000);
  add (cola_id, 1000);
  ck_assert (till_cart_remove_line (cart, 2, &error));
  add (apple_id, 1000);
  ck_assert (till_cart_set_quantity (cart, 0, 6000, &error));
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  before = memory_lines ();
  subtotal = till_cart_get_subtotal (cart);

  /* The price changes while the till is down: the line keeps its price. */
  close_all ();
  open_store ();
  ck_assert (till_store_exec (store, "UPDATE product SET price = 999", NULL));
  new_cart ();
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), uuid);

  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), uuid);
  {
    g_autofree char *after = memory_lines ();

    ck_assert_str_eq (after, before);
  }
  ck_assert_int_eq (till_cart_get_subtotal (cart), subtotal);
  ck_assert_int_eq (till_cart_get_item_count (cart), 6 + 2);
  assert_change (changes->len - 1, 0, 0, 3);

  /* Changes after a restore go on in the same journal. */
  add (chips_id, 1000);
  ck_assert (till_cart_remove_line (cart, 1, &error));
  assert_journal_matches_memory ();
  {
    g_autofree char *now = memory_lines ();

    close_all ();
    open_store ();
    new_cart ();
    ck_assert (till_cart_restore (cart, &error));
    {
      g_autofree char *again = memory_lines ();

      ck_assert_str_eq (again, now);
    }
  }
}
END_TEST

/* /core/cart/restore-withdrawn: a line whose product was withdrawn still comes back */
START_TEST (test_restore_withdrawn)
{
  g_autoptr (GError) error = NULL;

  add (chips_id, 1000);
  close_all ();
  open_store ();
  ck_assert (till_store_exec (store, "UPDATE product SET active = 0", NULL));
  new_cart ();
  ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
}
END_TEST

/* /core/cart/restore-empty: nothing journaled, nothing restored */
START_TEST (test_restore_empty)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = g_strdup (till_cart_get_sale_uuid (cart));

  ck_assert (till_cart_restore (cart, &error));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), uuid);
  ck_assert_uint_eq (changes->len, 0);
}
END_TEST

/* /core/cart/unrestored-cart-is-replaced: a new cart that never restored does not
 * mix its lines with the journaled ones */
START_TEST (test_unrestored)
{
  g_autoptr (GError) error = NULL;

  add (chips_id, 1000);
  add (apple_id, 500);
  close_all ();
  open_store ();
  new_cart ();
  add (cola_id, 1000);
  assert_journal_matches_memory ();
  {
    g_autoptr (sqlite3_stmt) stmt = NULL;

    sqlite3_prepare_v2 (till_store_get_db (store), "SELECT sale_uuid FROM cart", -1, &stmt, NULL);
    ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
    ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), till_cart_get_sale_uuid (cart));
  }
}
END_TEST

/* Scale labels (DEVICES.md §3), with the default templates unless a test sets
 * the store's own. */
static TillCartLine *
add_label (const char *code)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line = till_cart_add_barcode (cart, code, &error);

  ck_assert_msg (line != NULL, "%s: %s", code, error ? error->message : "");
  return line;
}

static char *
make_label (const char *template_text, const char *plu, gint64 amount, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillLabelTemplate) template = till_label_template_parse (template_text, &error);
  char *code;

  ck_assert_msg (template != NULL, "%s", error ? error->message : "");
  code = till_label_barcode_make (template, plu, amount, quantity, &error);
  ck_assert_msg (code != NULL, "%s", error ? error->message : "");
  return code;
}

/* /core/cart/label-weight: a 13-digit weight label sells the PLU's product by
 * that weight at the till's price */
START_TEST (test_label_weight)
{
  g_autofree char *code = till_barcode_ean13_complete ("221000100457");
  TillCartLine    *line = add_label (code);

  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), apple_id);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 457);
  ck_assert_int_eq (till_cart_line_get_unit_price (line), 598);
  ck_assert_int_eq (till_cart_line_get_amount (line), 273); /* 5.98 × 0.457 = 2.73286 */
  /* Weighed goods: a second label is a second line. */
  add_label (code);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 546);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/label-amount: a 13-digit price label: the amount is exact, the
 * weight is amount ÷ price per kg */
START_TEST (test_label_amount)
{
  g_autofree char *code = till_barcode_ean13_complete ("211000100273");
  TillCartLine    *line = add_label (code);

  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), apple_id);
  ck_assert_int_eq (till_cart_line_get_amount (line), 273);
  ck_assert_int_eq (till_cart_line_get_unit_price (line), 598);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 457); /* 2.73 ÷ 5.98 = 0.4565 kg */
  ck_assert_int_eq (till_cart_get_total (cart), 273);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/label-amount-differs: the label's amount wins over the till's price
 * (a markdown at the scale), to the fen, for many amounts and weights */
START_TEST (test_label_amount_exact)
{
  gint64 beef_id = add_product ("F002", "澳洲牛腱", "kg", 8980, "10002", TRUE, TRUE);
  gint64 expected_subtotal = 0;
  /* amount, weight: the beef is ¥89.80/kg, so a gram moves the amount 9 fen. */
  const gint64 cases[][2] = {
    { 300, 457 },     /* apple at a reduced price */
    { 21058, 2345 },  /* beef, 2.345 kg: no unit price hits 210.58 exactly at that weight */
    { 99999, 11137 }, /* beef, 11 kg, the largest amount a label holds */
    { 1, 1 },         { 17, 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char      *plu = i == 0 ? "10001" : "10002";
      g_autofree char *code = make_label ("26WWWWWEEEEENNNNNC", plu, cases[i][0], cases[i][1]);
      TillCartLine    *line = add_label (code);
      gint64           quantity = till_cart_line_get_quantity (line);

      ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)),
                        i == 0 ? apple_id : beef_id);
      ck_assert_msg (till_cart_line_get_amount (line) == cases[i][0],
                     "label %s: amount %" G_GINT64_FORMAT, code, till_cart_line_get_amount (line));
      ck_assert_int_eq (till_money_line_amount (till_cart_line_get_unit_price (line), quantity),
                        cases[i][0]);
      /* The weight stays the label's, or within a few grams of it over a kilo. */
      if (cases[i][1] <= 1000)
        ck_assert_int_eq (quantity, cases[i][1]);
      else
        ck_assert_int_le (ABS (quantity - cases[i][1]), 20);
      expected_subtotal += cases[i][0];
    }
  ck_assert_int_eq (till_cart_get_subtotal (cart), expected_subtotal);
  assert_journal_matches_memory ();

  /* And the cart comes back from the journal with the same amounts. */
  new_cart ();
  {
    g_autoptr (GError) error = NULL;

    ck_assert_msg (till_cart_restore (cart, &error), "%s", error ? error->message : "");
  }
  ck_assert_uint_eq (till_cart_get_n_lines (cart), G_N_ELEMENTS (cases));
  ck_assert_int_eq (till_cart_get_subtotal (cart), expected_subtotal);
}
END_TEST

/* /core/cart/label-counted: a price label on counted goods sells whole pieces */
START_TEST (test_label_counted)
{
  g_autofree char *two = make_label ("20WWWWWEEEEEC", "2001", 2560, 0);
  g_autofree char *odd = make_label ("20WWWWWEEEEEC", "2001", 1000, 0);
  TillCartLine    *line;

  /* 25.60 = 2 × 12.80: two pieces at the till's price, PLU "02001" found as "2001". */
  line = add_label (two);
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), chips_id);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 2000);
  ck_assert_int_eq (till_cart_line_get_unit_price (line), 1280);
  ck_assert_int_eq (till_cart_line_get_amount (line), 2560);

  /* 10.00 is no whole number of pieces: one piece at the label's price. */
  line = add_label (odd);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 1000);
  ck_assert_int_eq (till_cart_line_get_amount (line), 1000);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 3560);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/label-errors: bad check digit, unknown PLU, withdrawn product */
START_TEST (test_label_errors)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *good = till_barcode_ean13_complete ("221000100457");
  g_autofree char *bad_check = g_strdup (good);
  g_autofree char *unknown = make_label ("22WWWWWNNNNNC", "54321", 0, 500);
  g_autofree char *unknown18 = make_label ("26WWWWWEEEEENNNNNC", "77", 1234, 500);

  add (cola_id, 1000);
  g_array_set_size (changes, 0);

  bad_check[12] = bad_check[12] == '9' ? '0' : bad_check[12] + 1;
  ck_assert_ptr_null (till_cart_add_barcode (cart, bad_check, &error));
  ck_assert (g_error_matches (error, TILL_LABEL_BARCODE_ERROR, TILL_LABEL_BARCODE_ERROR_BAD_CHECK));
  g_clear_error (&error);

  ck_assert_ptr_null (till_cart_add_barcode (cart, unknown, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (error->message, "54321") != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert_ptr_null (till_cart_add_barcode (cart, unknown18, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (error->message, "00077") != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_uint_eq (changes->len, 0);
  assert_journal_matches_memory ();
}
END_TEST

/* /core/cart/label-setting: the store's own templates apply at the next scan; a
 * code the catalog holds as a barcode stays that product */
START_TEST (test_label_setting)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = till_barcode_ean13_complete ("231000100457");
  TillCartLine    *line;

  ck_assert_ptr_null (till_cart_add_barcode (cart, code, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  g_clear_error (&error);

  ck_assert (
      till_store_set_setting (store, "label-barcode.templates", "23WWWWWNNNNNC,n=2", &error));
  line = add_label (code);
  ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)), apple_id);
  ck_assert_int_eq (till_cart_line_get_quantity (line), 4570);

  /* apple_code starts with 20, like a label, but is in the catalog: still the
   * catalog's product (sold by weight, so it asks for one). */
  ck_assert (till_store_set_setting (store, "label-barcode.templates", "20WWWWWEEEEEC", &error));
  ck_assert_ptr_null (till_cart_add_barcode (cart, apple_code, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
}
END_TEST

/* Sale control (issue 5), with the default permissions: a cashier may not void,
 * change prices or discount but may change quantities; a supervisor may, within
 * 20 % and ¥50. */
static TillJournal *journal;
static TillUser    *ctl_cashier;
static TillUser    *ctl_supervisor;

static const TillOverride approval = {
  .supervisor_code = "2001",
  .supervisor_secret = "5678",
  .badge = FALSE,
  .reason = "customer-request",
};

static void
open_journal (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key_path = g_build_filename (scratch, "journal.key", NULL);

  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
}

static void
control_setup (void)
{
  g_autoptr (GError) error = NULL;

  setup ();
  open_journal ();
  ck_assert (till_user_create (store, "1001", "张三", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "2001", "李主管", TILL_ROLE_SUPERVISOR, "5678", &error) > 0);
  ck_assert (till_user_create (store, "9001", "王经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
  ctl_cashier = till_user_authenticate (store, "1001", "1234", &error);
  ck_assert_msg (ctl_cashier != NULL, "%s", error ? error->message : "");
  ctl_supervisor = till_user_authenticate (store, "2001", "5678", &error);
  ck_assert_msg (ctl_supervisor != NULL, "%s", error ? error->message : "");
}

static gint64
ctl_query_int (const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
count_journal (const char *kind)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM journal WHERE kind = '%s'", kind);

  return ctl_query_int (sql);
}

/* Returns: (transfer full): the body of the last journal entry of @kind */
static char *
last_journal_body (const char *kind)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT body FROM journal WHERE kind = ? "
                                        "ORDER BY seq DESC LIMIT 1",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strndup (sqlite3_column_blob (stmt, 0), (gsize) sqlite3_column_bytes (stmt, 0));
}

static void
control_teardown (void)
{
  g_autoptr (GError) error = NULL;
  gint64 bad_seq = 0;

  ck_assert_msg (till_journal_verify (journal, &bad_seq, &error), "%s (seq %" G_GINT64_FORMAT ")",
                 error ? error->message : "", bad_seq);
  g_clear_object (&ctl_cashier);
  g_clear_object (&ctl_supervisor);
  g_clear_object (&journal);
  teardown ();
}

static void
ctl_add (gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, quantity, &error) != NULL, "%s",
                 error ? error->message : "");
}

static gint64
sum_line_amounts (void)
{
  gint64 sum = 0;

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    sum += till_cart_line_get_amount (till_cart_get_line (cart, i));
  return sum;
}

/* /core/cart/control/void-line: denied (nothing changed or journaled), a
 * reason required, permitted and traceable, and with an override */
START_TEST (test_void_line)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  gint64           entries;

  ctl_add (cola_id, 2000);
  ctl_add (chips_id, 1000);
  ctl_add (apple_id, 1500);

  entries = ctl_query_int ("SELECT count(*) FROM journal");
  ck_assert (!till_cart_void_line (cart, journal, ctl_cashier, 0, "wrong-item", NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 3);
  ck_assert_int_eq (ctl_query_int ("SELECT count(*) FROM cart_line"), 3);
  ck_assert_int_eq (ctl_query_int ("SELECT count(*) FROM journal"), entries);

  ck_assert (!till_cart_void_line (cart, journal, ctl_supervisor, 0, "  ", NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_REASON));
  g_clear_error (&error);

  ck_assert_msg (till_cart_void_line (cart, journal, ctl_supervisor, 1, "wrong-item", NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (ctl_query_int ("SELECT count(*) FROM cart_line"), 2);
  ck_assert_int_eq (till_cart_get_subtotal (cart), 700 + 897);
  body = last_journal_body ("void-line");
  ck_assert_ptr_nonnull (strstr (body, "\"name\":\"乐事薯片 原味 70g\""));
  ck_assert_ptr_nonnull (strstr (body, "\"quantity\":1000"));
  ck_assert_ptr_nonnull (strstr (body, "\"amount\":1280"));
  ck_assert_ptr_nonnull (strstr (body, "\"user_code\":\"2001\""));
  ck_assert_ptr_nonnull (strstr (body, "\"reason\":\"wrong-item\""));
  ck_assert_int_eq (count_journal ("override"), 0);

  ck_assert_msg (
      till_cart_void_line (cart, journal, ctl_cashier, 0, "wrong-item", &approval, &error), "%s",
      error ? error->message : "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (count_journal ("override"), 1);
  ck_assert_int_eq (count_journal ("void-line"), 2);
}
END_TEST

/* /core/cart/control/void-sale: every line journaled, the cart cleared */
START_TEST (test_void_sale)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *uuid = NULL;

  ctl_add (cola_id, 2000);
  ctl_add (chips_id, 1000);
  uuid = g_strdup (till_cart_get_sale_uuid (cart));
  ck_assert (!till_cart_void_sale (cart, journal, ctl_cashier, "customer-left", NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (count_journal ("void-sale"), 0);
  ck_assert (!till_cart_void_sale (cart, journal, ctl_supervisor, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_REASON));
  g_clear_error (&error);

  ck_assert_msg (
      till_cart_void_sale (cart, journal, ctl_cashier, "customer-left", &approval, &error), "%s",
      error ? error->message : "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  ck_assert_int_eq (till_cart_get_total (cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (cart), uuid);
  ck_assert_int_eq (ctl_query_int ("SELECT count(*) FROM cart_line"), 0);
  ck_assert_int_eq (ctl_query_int ("SELECT count(*) FROM cart"), 0);
  ck_assert_int_eq (count_journal ("override"), 1);
  body = last_journal_body ("void-sale");
  ck_assert_ptr_nonnull (strstr (body, uuid));
  ck_assert_ptr_nonnull (strstr (body, "可口可乐 330ml"));
  ck_assert_ptr_nonnull (strstr (body, "乐事薯片 原味 70g"));
  ck_assert_ptr_nonnull (strstr (body, "\"total\":1980"));
  ck_assert_ptr_nonnull (strstr (body, "\"reason\":\"customer-left\""));
}
END_TEST

/* /core/cart/control/price-override: denied, over the limit, permitted, and
 * kept across a restart */
START_TEST (test_price_override)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line;
  gint64        entries;

  ctl_add (chips_id, 3000);
  ctl_add (gold_id, 1000);
  entries = ctl_query_int ("SELECT count(*) FROM journal");
  ck_assert (
      !till_cart_override_price (cart, journal, ctl_cashier, 0, 1000, "damaged", NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  /* ¥50.01 off is beyond the supervisor's ¥50. */
  ck_assert (!till_cart_override_price (cart, journal, ctl_supervisor, 1, 60000000 - 5001,
                                        "damaged", NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT));
  g_clear_error (&error);
  ck_assert_int_eq (till_cart_line_get_unit_price (till_cart_get_line (cart, 1)), 60000000);
  ck_assert_int_eq (ctl_query_int ("SELECT count(*) FROM journal"), entries);
  ck_assert (till_cart_override_price (cart, journal, ctl_supervisor, 1, 60000000 - 5000, "damaged",
                                       NULL, &error));
  ck_assert (till_cart_void_line (cart, journal, ctl_supervisor, 1, "test", NULL, &error));

  ck_assert_msg (
      till_cart_override_price (cart, journal, ctl_cashier, 0, 1000, "damaged", &approval, &error),
      "%s", error ? error->message : "");
  ck_assert_int_eq (count_journal ("override"), 1);
  ck_assert_int_eq (count_journal ("price-override"), 2);
  line = till_cart_get_line (cart, 0);
  ck_assert_int_eq (till_cart_line_get_unit_price (line), 1000);
  ck_assert_int_eq (till_cart_line_get_original_price (line), 1280);
  ck_assert (till_cart_line_has_price_override (line));
  ck_assert_int_eq (till_cart_get_total (cart), 3000);

  /* Another scan of chips does not merge into the overridden line. */
  ctl_add (chips_id, 1000);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);

  g_clear_object (&journal);
  close_all ();
  open_store ();
  open_journal ();
  new_cart ();
  ck_assert (till_cart_restore (cart, &error));
  line = till_cart_get_line (cart, 0);
  ck_assert_int_eq (till_cart_line_get_unit_price (line), 1000);
  ck_assert_int_eq (till_cart_line_get_original_price (line), 1280);
  ck_assert_int_eq (till_cart_get_total (cart), 3000 + 1280);
}
END_TEST

/* /core/cart/control/line-discount: half-up to the fen, limit enforced */
START_TEST (test_line_discount)
{
  g_autoptr (GError) error = NULL;
  TillCartLine *line;

  ctl_add (cola_id, 1000);
  ck_assert (!till_cart_set_line_discount (cart, journal, ctl_cashier, 0, 333, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (
      !till_cart_set_line_discount (cart, journal, ctl_supervisor, 0, 2001, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT));
  g_clear_error (&error);
  ck_assert_int_eq (till_cart_get_total (cart), 350);
  ck_assert_int_eq (count_journal ("line-discount"), 0);

  /* 350 × 3.33 % = 11.655 fen: 12. */
  ck_assert (
      till_cart_set_line_discount (cart, journal, ctl_supervisor, 0, 333, "promo", NULL, &error));
  line = till_cart_get_line (cart, 0);
  ck_assert_int_eq (till_cart_line_get_line_discount (line), 12);
  ck_assert_int_eq (till_cart_line_get_amount (line), 338);
  ck_assert_int_eq (till_cart_get_total (cart), 338);
  /* 350 × 3.3 % = 11.55: 12 too; 350 × 3.2 % = 11.2: 11. */
  ck_assert (
      till_cart_set_line_discount (cart, journal, ctl_cashier, 0, 320, "promo", &approval, &error));
  ck_assert_int_eq (till_cart_line_get_line_discount (line), 11);
  ck_assert_int_eq (count_journal ("line-discount"), 2);
  ck_assert_int_eq (count_journal ("override"), 1);
  ck_assert (
      !till_cart_set_line_discount (cart, journal, ctl_supervisor, 0, 10001, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_CART_ERROR, TILL_CART_ERROR_DISCOUNT));
}
END_TEST

/* /core/cart/control/sale-discount-split: over random carts, the whole-sale
 * discount is exact and the line amounts add up to the subtotal */
START_TEST (test_sale_discount_split)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240605);
  const gint64 ids[] = { cola_id, chips_id, apple_id };

  for (int round = 0; round < 40; round++)
    {
      int    n_lines = g_rand_int_range (rand, 1, 8);
      int    bp = g_rand_int_range (rand, 1, 2001);
      gint64 base = 0;
      gint64 shares = 0;

      for (int i = 0; i < n_lines; i++)
        {
          gint64 id = ids[g_rand_int_range (rand, 0, 3)];

          ctl_add (id, id == apple_id ? g_rand_int_range (rand, 1, 3000)
                                      : 1000 * g_rand_int_range (rand, 1, 5));
        }
      if (g_rand_boolean (rand))
        ck_assert (till_cart_set_line_discount (cart, journal, ctl_supervisor, 0,
                                                g_rand_int_range (rand, 1, 2001), NULL, NULL,
                                                &error));
      for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
        base += till_cart_line_get_net_before_sale_discount (till_cart_get_line (cart, i));
      if (round % 4 == 3)
        {
          gint64 amount = g_rand_int_range (rand, 1, (gint32) MAX (base / 5, 2));

          ck_assert_msg (till_cart_set_sale_discount_amount (cart, journal, ctl_supervisor, amount,
                                                             NULL, NULL, &error),
                         "%s", error ? error->message : "");
          ck_assert_int_eq (till_cart_get_sale_discount (cart), amount);
        }
      else
        {
          ck_assert_msg (
              till_cart_set_sale_discount (cart, journal, ctl_supervisor, bp, NULL, NULL, &error),
              "%s", error ? error->message : "");
          ck_assert_int_eq (till_cart_get_sale_discount (cart),
                            till_money_round_half_up (base * bp, 10000));
        }
      for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
        {
          TillCartLine *line = till_cart_get_line (cart, i);

          ck_assert_int_ge (till_cart_line_get_sale_discount (line), 0);
          ck_assert_int_le (till_cart_line_get_sale_discount (line),
                            till_cart_line_get_net_before_sale_discount (line));
          shares += till_cart_line_get_sale_discount (line);
        }
      ck_assert_int_eq (shares, till_cart_get_sale_discount (cart));
      ck_assert_int_eq (sum_line_amounts (), till_cart_get_subtotal (cart));
      ck_assert_int_eq (till_cart_get_subtotal (cart), base - till_cart_get_sale_discount (cart));
      ck_assert (till_cart_void_sale (cart, journal, ctl_supervisor, "test", NULL, &error));
    }
  /* Beyond the supervisor's 20 %, and denied to a cashier. */
  ctl_add (chips_id, 1000);
  ck_assert (
      !till_cart_set_sale_discount (cart, journal, ctl_supervisor, 2001, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT));
  g_clear_error (&error);
  /* ¥2.57 of ¥12.80 is 20.08 %: over the limit once rounded up. */
  ck_assert (
      !till_cart_set_sale_discount_amount (cart, journal, ctl_supervisor, 257, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT));
  g_clear_error (&error);
  ck_assert (!till_cart_set_sale_discount (cart, journal, ctl_cashier, 100, NULL, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  ck_assert_int_eq (till_cart_get_total (cart), 1280);
}
END_TEST

/* /core/cart/control/quantity-change: a cashier may by default; not once a
 * manager takes it away */
START_TEST (test_quantity_change)
{
  g_autoptr (GError) error = NULL;

  ctl_add (cola_id, 1000);
  ck_assert_msg (till_cart_change_quantity (cart, journal, ctl_cashier, 0, 4000, NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_int_eq (till_cart_get_total (cart), 1400);
  ck_assert_int_eq (count_journal ("quantity-change"), 1);

  ck_assert (till_permission_role_set (store, journal, "9001", TILL_ROLE_CASHIER,
                                       TILL_PERMISSION_QUANTITY_CHANGE, FALSE, &error));
  ck_assert (!till_cart_change_quantity (cart, journal, ctl_cashier, 0, 2000, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_int_eq (till_cart_get_total (cart), 1400);
  ck_assert_int_eq (count_journal ("quantity-change"), 1);
  ck_assert (till_cart_change_quantity (cart, journal, ctl_cashier, 0, 2000, &approval, &error));
  ck_assert_int_eq (till_cart_get_total (cart), 700);
  ck_assert_int_eq (count_journal ("override"), 1);
}
END_TEST

static Suite *
cart_suite (void)
{
  Suite *suite = suite_create ("core/cart");
  TCase *tc;

  tc = tcase_create ("lines");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_add_line);
  tcase_add_test (tc, test_merge_counted);
  tcase_add_test (tc, test_weighed_separate);
  tcase_add_test (tc, test_add_barcode);
  tcase_add_test (tc, test_add_barcode_errors);
  tcase_add_test (tc, test_add_plu);
  tcase_add_test (tc, test_set_quantity);
  tcase_add_test (tc, test_remove_line);
  tcase_add_test (tc, test_clear);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("totals");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_rounding);
  tcase_add_test (tc, test_properties);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("errors");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_write_fails);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("restore");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_restore);
  tcase_add_test (tc, test_restore_withdrawn);
  tcase_add_test (tc, test_restore_empty);
  tcase_add_test (tc, test_unrestored);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("labels");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_label_weight);
  tcase_add_test (tc, test_label_amount);
  tcase_add_test (tc, test_label_amount_exact);
  tcase_add_test (tc, test_label_counted);
  tcase_add_test (tc, test_label_errors);
  tcase_add_test (tc, test_label_setting);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("control");
  tcase_add_checked_fixture (tc, control_setup, control_teardown);
  tcase_add_test (tc, test_void_line);
  tcase_add_test (tc, test_void_sale);
  tcase_add_test (tc, test_price_override);
  tcase_add_test (tc, test_line_discount);
  tcase_add_test (tc, test_sale_discount_split);
  tcase_add_test (tc, test_quantity_change);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (cart_suite ());
}
