/* test-stock.c: tests for src/core/till-stock.c: movements and levels,
 * limits and alerts, purchase orders and receiving, stocktake, transfers,
 * and a randomized run of every kind of act against a model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

#define N_PRODUCTS 8
#define ONE TILL_QUANTITY_ONE
#define DAY_US (G_GINT64_CONSTANT (24) * 3600 * G_USEC_PER_SEC)

static char        *scratch;
static char        *db_path;
static char        *key_path;
static TillStore   *store;
static TillCatalog *catalog;
static TillJournal *journal;
static TillCart    *cart;
static TillUser    *cashier;    /* 1001 */
static TillUser    *supervisor; /* 2001 */
static TillUser    *manager;    /* the demo manager */

/* Categories: drinks ⊃ tea, and snacks. Products 0 and 1 are drinks, 2 is
 * tea, 3 and 4 snacks, the rest have no category. */
static gint64 drinks_id;
static gint64 tea_id;
static gint64 snacks_id;
static gint64 product_ids[N_PRODUCTS];

static const TillOverride manager_override = {
  .supervisor_code = TILL_DEMO_MANAGER_CODE,
  .supervisor_secret = TILL_DEMO_MANAGER_PIN,
  .reason = "approved-by-manager",
};

/* --- Fixture ----------------------------------------------------------------- */

static gint64
add_product (const char *sku, const char *name, gint64 category_id, gint64 price)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = "个",
    .category_id = category_id,
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  return id;
}

static gint64
add_category (gint64 parent_id, const char *name)
{
  g_autoptr (GError) error = NULL;
  gint64 id = till_catalog_add_category (catalog, parent_id, name, &error);

  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  return id;
}

static TillUser *
add_user (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  ck_assert (till_user_create (store, code, name, role, pin, &error) > 0);
  user = till_user_authenticate (store, code, pin, &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
setup (void)
{
  static const char *const names[N_PRODUCTS] = {
    "可口可乐 330ml", "雪碧 330ml", "绿茶 500ml", "乐事薯片",
    "奥利奥饼干",     "洗洁精",     "纸巾",       "电池",
  };
  static const gint64 prices[N_PRODUCTS] = { 350, 330, 400, 1280, 990, 1500, 600, 2500 };
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "journal.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);

  drinks_id = add_category (0, "饮料");
  tea_id = add_category (drinks_id, "茶饮");
  snacks_id = add_category (0, "零食");
  for (guint i = 0; i < N_PRODUCTS; i++)
    {
      static const int category_of[N_PRODUCTS] = { 0, 0, 1, 2, 2, -1, -1, -1 };
      const gint64     categories[] = { drinks_id, tea_id, snacks_id };
      g_autofree char *sku = g_strdup_printf ("S%03u", i + 1);

      product_ids[i] = add_product (
          sku, names[i], category_of[i] >= 0 ? categories[category_of[i]] : 0, prices[i]);
    }
  ck_assert (till_catalog_add_barcode (catalog, product_ids[0], "6901234567892", &error));

  cashier = add_user ("1001", "王小丽", TILL_ROLE_CASHIER, "1234");
  supervisor = add_user ("2001", "张主管", TILL_ROLE_SUPERVISOR, "2222");
  manager = add_user (TILL_DEMO_MANAGER_CODE, "李经理", TILL_ROLE_MANAGER, TILL_DEMO_MANAGER_PIN);
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&supervisor);
  g_clear_object (&manager);
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
  g_clear_pointer (&key_path, g_free);
}

/* --- Helpers ------------------------------------------------------------------ */

static gint64
query_int (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
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
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gint64
level (guint product)
{
  g_autoptr (GError) error = NULL;
  gint64 value = till_stock_get_level (store, product_ids[product], &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  return value;
}

static gint64
product_cost (guint product)
{
  g_autofree char *sql =
      g_strdup_printf ("SELECT cost FROM product WHERE id = %" PRId64, product_ids[product]);

  return query_int (sql, NULL);
}

static gint64
journal_count (const char *kind)
{
  return query_int ("SELECT count(*) FROM journal WHERE kind = ?", kind);
}

static gint64
outbox_count (const char *kind)
{
  return query_int ("SELECT count(*) FROM outbox WHERE kind = ?", kind);
}

static TillStockLine
line_of (guint product, gint64 quantity, gint64 unit_cost)
{
  TillStockLine line = {
    .product_id = product_ids[product],
    .quantity = quantity,
    .unit_cost = unit_cost,
  };

  return line;
}

static char *
receive (TillUser *user, const char *po_uuid, const TillStockLine *lines, guint n_lines)
{
  g_autoptr (GError) error = NULL;
  char *uuid =
      till_stock_receive (store, journal, user, po_uuid, "供应商甲", lines, n_lines, NULL, &error);

  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
  return uuid;
}

static void
stock_up (guint product, gint64 quantity)
{
  TillStockLine    line = line_of (product, quantity, -1);
  g_autofree char *uuid = receive (supervisor, NULL, &line, 1);
}

static char *
adjust (TillUser *user, guint product, gint64 delta, TillStockReason reason)
{
  g_autoptr (GError) error = NULL;
  char *uuid = till_stock_adjust (store, journal, user, product_ids[product], delta, reason,
                                  "盘点差异", NULL, &error);

  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
  return uuid;
}

static void
add_to_cart (guint product, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) found = till_catalog_lookup_id (catalog, product_ids[product], &error);

  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
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

static void
sell_one (guint product, gint64 quantity)
{
  g_autoptr (TillSale) sale = NULL;

  add_to_cart (product, quantity);
  sale = sell ();
}

static char *
begin_stocktake (TillUser *user, gint64 category_id)
{
  g_autoptr (GError) error = NULL;
  char *uuid = till_stock_begin_stocktake (store, journal, user, category_id, &error);

  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
  return uuid;
}

static void
count (const char *uuid, guint product, gint64 quantity, gboolean add)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_stock_count (store, uuid, product_ids[product], quantity, add,
                                   g_get_real_time (), &error),
                 "%s", error ? error->message : "");
  /* So that a sale made next is strictly after the count. */
  g_usleep (2);
}

static const TillStocktakeLine *
stocktake_line (TillStocktake *stocktake, guint product)
{
  for (guint i = 0; i < stocktake->lines->len; i++)
    {
      const TillStocktakeLine *line = g_ptr_array_index (stocktake->lines, i);

      if (line->product_id == product_ids[product])
        return line;
    }
  return NULL;
}

/* Every stock_level row equals the sum of its movements, and there is a row
 * for every product and location that moved. */
static void
assert_levels_are_sums (void)
{
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_level l FULL JOIN "
                               "(SELECT product_id, location, sum (delta) AS total "
                               "FROM stock_move GROUP BY product_id, location) m "
                               "USING (product_id, location) "
                               "WHERE l.quantity IS NOT m.total",
                               NULL),
                    0);
}

/* --- Tests --------------------------------------------------------------------- */

START_TEST (test_reasons)
{
  for (guint i = 0; i <= TILL_STOCK_REASON_DAMAGE; i++)
    {
      TillStockReason back;

      ck_assert (till_stock_reason_from_string (till_stock_reason_to_string (i), &back));
      ck_assert_int_eq (back, i);
      ck_assert_ptr_nonnull (till_stock_reason_get_label (i));
    }
  ck_assert_str_eq (till_stock_reason_to_string (TILL_STOCK_REASON_TRANSFER_OUT), "transfer-out");
  ck_assert (!till_stock_reason_from_string ("theft", NULL));
  ck_assert (!till_stock_reason_from_string (NULL, NULL));
}
END_TEST

START_TEST (test_adjust_and_damage)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) moves = NULL;
  g_autofree char     *first = adjust (supervisor, 0, 5 * ONE, TILL_STOCK_REASON_ADJUSTMENT);
  g_autofree char     *second = adjust (supervisor, 0, -ONE, TILL_STOCK_REASON_DAMAGE);
  g_autofree char     *payload = NULL;
  char                *uuid;
  const TillStockMove *move;

  ck_assert_int_eq (level (0), 4 * ONE);
  moves = till_stock_list_moves (store, product_ids[0], 0, &error);
  ck_assert_ptr_nonnull (moves);
  ck_assert_uint_eq (moves->len, 2);
  move = g_ptr_array_index (moves, 0);
  ck_assert_int_eq (move->reason, TILL_STOCK_REASON_DAMAGE);
  ck_assert_int_eq (move->delta, -ONE);
  ck_assert_str_eq (move->location, "stock");
  ck_assert_str_eq (move->ref_uuid, second);
  ck_assert_str_eq (move->user_code, "2001");
  ck_assert_int_eq (move->unit_cost, product_cost (0));
  move = g_ptr_array_index (moves, 1);
  ck_assert_int_eq (move->reason, TILL_STOCK_REASON_ADJUSTMENT);
  ck_assert_str_eq (move->ref_uuid, first);

  payload = query_text ("SELECT CAST (payload AS TEXT) FROM outbox WHERE ref_uuid = ?", second);
  ck_assert_ptr_nonnull (strstr (payload, "\"stock_adjustment\":{"));
  ck_assert_ptr_nonnull (strstr (payload, "\"reason\":\"damage\""));
  ck_assert_int_eq (query_int ("SELECT json_extract (CAST (payload AS TEXT), "
                               "'$.stock_adjustment.delta') FROM outbox WHERE ref_uuid = ?",
                               second),
                    -ONE);

  /* Refused before anything is written. */
  uuid = till_stock_adjust (store, journal, supervisor, product_ids[0], ONE,
                            TILL_STOCK_REASON_DAMAGE, NULL, NULL, &error);
  ck_assert_ptr_null (uuid);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  uuid = till_stock_adjust (store, journal, supervisor, product_ids[0], ONE,
                            TILL_STOCK_REASON_ADJUSTMENT, "   ", NULL, &error);
  ck_assert_ptr_null (uuid);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  uuid = till_stock_adjust (store, journal, supervisor, product_ids[0], 0,
                            TILL_STOCK_REASON_ADJUSTMENT, "zero", NULL, &error);
  ck_assert_ptr_null (uuid);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  uuid = till_stock_adjust (store, journal, supervisor, 999999, ONE, TILL_STOCK_REASON_ADJUSTMENT,
                            "ghost", NULL, &error);
  ck_assert_ptr_null (uuid);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move", NULL), 2);
  ck_assert_int_eq (journal_count ("stock-adjustment"), 2);
  ck_assert_int_eq (outbox_count ("stock-adjustment"), 2);
  ck_assert_int_eq (level (0), 4 * ONE);
  assert_levels_are_sums ();
}
END_TEST

START_TEST (test_moves_are_append_only)
{
  g_autofree char *uuid = adjust (supervisor, 1, 3 * ONE, TILL_STOCK_REASON_ADJUSTMENT);
  sqlite3         *db = till_store_get_db (store);

  ck_assert_int_ne (sqlite3_exec (db, "UPDATE stock_move SET delta = 1", NULL, NULL, NULL),
                    SQLITE_OK);
  ck_assert_int_ne (sqlite3_exec (db, "DELETE FROM stock_move", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq (query_int ("SELECT delta FROM stock_move", NULL), 3 * ONE);
  ck_assert_int_eq (level (1), 3 * ONE);
}
END_TEST

/* Each MANAGE_STOCK act refuses a cashier alone, records nothing, and goes
 * through with the manager's override, which is journaled. */
START_TEST (test_permissions)
{
  g_autoptr (GError) error = NULL;
  TillStockLine   line = line_of (0, 2 * ONE, 100);
  TillStockLimits limits = {
    .lower = ONE, .upper = 10 * ONE, .lead_time_days = 3, .pack_size = 6 * ONE
  };
  g_autofree char *po = NULL;
  g_autofree char *receipt = NULL;
  g_autofree char *transfer = NULL;
  g_autofree char *adjusted = NULL;
  g_autofree char *stocktake = NULL;
  gint64           entries = query_int ("SELECT count(*) FROM journal", NULL);

  ck_assert_ptr_null (till_stock_adjust (store, journal, cashier, product_ids[0], ONE,
                                         TILL_STOCK_REASON_ADJUSTMENT, "found", NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_ptr_null (
      till_stock_receive (store, journal, cashier, NULL, NULL, &line, 1, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_ptr_null (till_stock_create_purchase_order (store, journal, cashier, NULL, NULL, &line,
                                                        1, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_ptr_null (till_stock_transfer (store, journal, cashier, TILL_TRANSFER_OUT, "S02", NULL,
                                           &line, 1, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert (
      !till_stock_set_limits (store, journal, cashier, product_ids[0], &limits, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal", NULL), entries);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_limit", NULL), 0);

  adjusted = till_stock_adjust (store, journal, cashier, product_ids[0], ONE,
                                TILL_STOCK_REASON_ADJUSTMENT, "found", &manager_override, &error);
  ck_assert_msg (adjusted != NULL, "%s", error ? error->message : "");
  receipt =
      till_stock_receive (store, journal, cashier, NULL, NULL, &line, 1, &manager_override, &error);
  ck_assert_msg (receipt != NULL, "%s", error ? error->message : "");
  po = till_stock_create_purchase_order (store, journal, cashier, NULL, NULL, &line, 1,
                                         &manager_override, &error);
  ck_assert_msg (po != NULL, "%s", error ? error->message : "");
  transfer = till_stock_transfer (store, journal, cashier, TILL_TRANSFER_OUT, "S02", NULL, &line, 1,
                                  &manager_override, &error);
  ck_assert_msg (transfer != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_stock_set_limits (store, journal, cashier, product_ids[0], &limits,
                                        &manager_override, &error),
                 "%s", error ? error->message : "");
  ck_assert_int_eq (journal_count ("override"), 5);
  ck_assert_int_eq (level (0), ONE + 2 * ONE - 2 * ONE);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move WHERE user_code = '1001'", NULL),
                    3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox WHERE json_extract (CAST (payload "
                               "AS TEXT), '$.stock_adjustment.approved_by') = '9001'",
                               NULL),
                    1);

  /* A cashier begins and counts a stocktake, but posting needs STOCKTAKE. */
  stocktake = begin_stocktake (cashier, 0);
  count (stocktake, 0, 5 * ONE, FALSE);
  ck_assert (!till_stock_post_stocktake (store, journal, cashier, stocktake, NULL, &error));
  ck_assert (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED));
  g_clear_error (&error);
  ck_assert_int_eq (level (0), ONE);
  ck_assert_msg (
      till_stock_post_stocktake (store, journal, cashier, stocktake, &manager_override, &error),
      "%s", error ? error->message : "");
  ck_assert_int_eq (level (0), 5 * ONE);
  ck_assert_int_eq (journal_count ("override"), 6);

  /* A supervisor needs no override. */
  g_clear_pointer (&adjusted, g_free);
  adjusted = adjust (supervisor, 0, ONE, TILL_STOCK_REASON_ADJUSTMENT);
  ck_assert_int_eq (journal_count ("override"), 6);
}
END_TEST

START_TEST (test_purchase_order_and_receiving)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPurchaseOrder) order = NULL;
  g_autoptr (GPtrArray) open_orders = NULL;
  TillStockLine    ordered[] = { line_of (0, 10 * ONE, 200), line_of (1, 5 * ONE, -1) };
  TillStockLine    first[] = { line_of (0, 4 * ONE, -1) };
  TillStockLine    stranger[] = { line_of (0, ONE, -1), line_of (2, ONE, 100) };
  TillStockLine    rest[] = { line_of (0, 6 * ONE, -1), line_of (1, 5 * ONE, 300) };
  g_autofree char *po = NULL;
  g_autofree char *receipt = NULL;
  g_autofree char *second = NULL;
  gint64           cost_1 = product_cost (1);
  char            *refused;

  po = till_stock_create_purchase_order (store, journal, supervisor, " 供应商甲 ", "2026-12-01",
                                         ordered, G_N_ELEMENTS (ordered), NULL, &error);
  ck_assert_msg (po != NULL, "%s", error ? error->message : "");
  order = till_stock_load_purchase_order (store, po, &error);
  ck_assert_ptr_nonnull (order);
  ck_assert_int_eq (order->po_no, 1);
  ck_assert_int_eq (order->state, TILL_PURCHASE_ORDER_OPEN);
  ck_assert_str_eq (order->supplier, "供应商甲");
  ck_assert_str_eq (order->expected_day, "2026-12-01");
  ck_assert_str_eq (order->created_by, "2001");
  ck_assert_uint_eq (order->lines->len, 2);
  ck_assert_int_eq (g_array_index (order->lines, TillStockLine, 1).unit_cost, cost_1);
  ck_assert_int_eq (g_array_index (order->lines, TillStockLine, 0).received, 0);
  ck_assert_int_eq (level (0), 0);
  g_clear_pointer (&order, till_purchase_order_free);

  receipt = receive (supervisor, po, first, 1);
  order = till_stock_load_purchase_order (store, po, &error);
  ck_assert_int_eq (order->state, TILL_PURCHASE_ORDER_PARTIAL);
  ck_assert_int_eq (g_array_index (order->lines, TillStockLine, 0).received, 4 * ONE);
  ck_assert_int_eq (level (0), 4 * ONE);
  /* Without a cost of its own the line takes the order's, which becomes
   * the product's. */
  ck_assert_int_eq (product_cost (0), 200);
  ck_assert_int_gt (query_int ("SELECT updated_us FROM product WHERE sku = 'S001'", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT unit_cost FROM stock_move WHERE ref_uuid = ?", receipt),
                    200);
  ck_assert_int_eq (query_int ("SELECT total_cost FROM goods_receipt WHERE uuid = ?", receipt),
                    800);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM goods_receipt WHERE po_uuid IS NOT NULL AND "
                               "supplier = '供应商甲' AND user_code = '2001' AND journal_seq > 0",
                               NULL),
                    1);
  g_clear_pointer (&order, till_purchase_order_free);

  /* A product not on the order refuses the whole receipt. */
  refused = till_stock_receive (store, journal, supervisor, po, NULL, stranger,
                                G_N_ELEMENTS (stranger), NULL, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (level (0), 4 * ONE);
  ck_assert_int_eq (level (2), 0);
  ck_assert_int_eq (query_int ("SELECT received FROM purchase_order_line WHERE line_no = 1", NULL),
                    4 * ONE);

  second = receive (supervisor, po, rest, G_N_ELEMENTS (rest));
  order = till_stock_load_purchase_order (store, po, &error);
  ck_assert_int_eq (order->state, TILL_PURCHASE_ORDER_RECEIVED);
  ck_assert_int_eq (g_array_index (order->lines, TillStockLine, 1).received, 5 * ONE);
  ck_assert_int_eq (level (0), 10 * ONE);
  ck_assert_int_eq (level (1), 5 * ONE);
  ck_assert_int_eq (product_cost (1), 300);
  refused = till_stock_receive (store, journal, supervisor, po, NULL, first, 1, NULL, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);
  ck_assert_int_eq (
      query_int ("SELECT json_extract (CAST (payload AS TEXT), '$.goods_receipt.po_state') "
                 "= 'received' FROM outbox WHERE ref_uuid = ?",
                 second),
      1);

  /* Listing: open orders first; open_only leaves the received one out. */
  g_clear_pointer (&po, g_free);
  po = till_stock_create_purchase_order (store, journal, supervisor, NULL, NULL, first, 1, NULL,
                                         &error);
  ck_assert_ptr_nonnull (po);
  open_orders = till_stock_list_purchase_orders (store, TRUE, &error);
  ck_assert_uint_eq (open_orders->len, 1);
  ck_assert_str_eq (((TillPurchaseOrder *) g_ptr_array_index (open_orders, 0))->uuid, po);
  g_clear_pointer (&open_orders, g_ptr_array_unref);
  open_orders = till_stock_list_purchase_orders (store, FALSE, &error);
  ck_assert_uint_eq (open_orders->len, 2);
  ck_assert_str_eq (((TillPurchaseOrder *) g_ptr_array_index (open_orders, 0))->uuid, po);

  /* Cancelling. */
  ck_assert_msg (till_stock_cancel_purchase_order (store, journal, supervisor, po, NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert (!till_stock_cancel_purchase_order (store, journal, supervisor, po, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);
  refused = till_stock_receive (store, journal, supervisor, po, NULL, first, 1, NULL, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);
  ck_assert_int_eq (journal_count ("purchase-order-cancel"), 1);
  ck_assert_int_eq (outbox_count ("purchase-order"), 3);

  /* Bad orders. */
  refused = till_stock_receive (store, journal, supervisor, "no-such-order", NULL, first, 1, NULL,
                                &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND));
  g_clear_error (&error);
  {
    TillStockLine twice[] = { line_of (3, ONE, 10), line_of (3, ONE, 10) };
    TillStockLine zero[] = { line_of (3, 0, 10) };
    TillStockLine negative_cost[] = { line_of (3, ONE, -5) };

    ck_assert_ptr_null (till_stock_create_purchase_order (store, journal, supervisor, NULL, NULL,
                                                          twice, 2, NULL, &error));
    ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert_ptr_null (till_stock_create_purchase_order (store, journal, supervisor, NULL,
                                                          "2026-02-30", first, 1, NULL, &error));
    ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert_ptr_null (till_stock_create_purchase_order (store, journal, supervisor, NULL, NULL,
                                                          first, 0, NULL, &error));
    ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert_ptr_null (
        till_stock_receive (store, journal, supervisor, NULL, NULL, zero, 1, NULL, &error));
    ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert_ptr_null (till_stock_receive (store, journal, supervisor, NULL, NULL, negative_cost,
                                            1, NULL, &error));
    ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
    g_clear_error (&error);
  }
  ck_assert_int_eq (query_int ("SELECT count(*) FROM purchase_order", NULL), 2);
  assert_levels_are_sums ();
}
END_TEST

/* Receiving without an order at the product's current cost (-1) or a new
 * one; receipt numbers count up. */
START_TEST (test_receiving_without_order)
{
  TillStockLine    lines[] = { line_of (3, 12 * ONE, -1), line_of (4, 1500, 880) };
  gint64           cost_3 = product_cost (3);
  g_autofree char *uuid = receive (supervisor, NULL, lines, G_N_ELEMENTS (lines));
  g_autofree char *again = receive (supervisor, NULL, lines, 1);

  ck_assert_int_eq (level (3), 24 * ONE);
  ck_assert_int_eq (level (4), 1500);
  ck_assert_int_eq (product_cost (3), cost_3);
  ck_assert_int_eq (product_cost (4), 880);
  ck_assert_int_eq (query_int ("SELECT receipt_no FROM goods_receipt WHERE uuid = ?", uuid), 1);
  ck_assert_int_eq (query_int ("SELECT receipt_no FROM goods_receipt WHERE uuid = ?", again), 2);
  /* 12 × cost + 1.5 × 8.80 */
  ck_assert_int_eq (query_int ("SELECT total_cost FROM goods_receipt WHERE uuid = ?", uuid),
                    12 * cost_3 + 1320);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM goods_receipt_line WHERE receipt_uuid = ?", uuid), 2);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move WHERE reason = 'receiving' "
                               "AND user_code = '2001' AND unit_cost IS NOT NULL",
                               NULL),
                    3);
}
END_TEST

/* A count is compared with the book stock when it was made: a sale after
 * it is no variance; products never counted are left alone. */
START_TEST (test_stocktake)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStocktake) before = NULL;
  g_autoptr (TillStocktake) after = NULL;
  g_autofree char         *uuid = NULL;
  g_autofree char         *counting = NULL;
  const TillStocktakeLine *line;

  for (guint i = 0; i < 4; i++)
    stock_up (i, 10 * ONE);
  uuid = begin_stocktake (cashier, drinks_id);
  counting = till_stock_get_counting_stocktake (store, &error);
  ck_assert_str_eq (counting, uuid);

  count (uuid, 0, 8 * ONE, FALSE);
  sell_one (0, 2 * ONE);
  for (guint i = 0; i < 3; i++)
    count (uuid, 2, ONE, TRUE); /* three scans of a tea */
  ck_assert (
      !till_stock_count (store, uuid, product_ids[3], ONE, TRUE, g_get_real_time (), &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!till_stock_count (store, uuid, product_ids[2], 0, TRUE, g_get_real_time (), &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);

  before = till_stock_load_stocktake (store, uuid, &error);
  ck_assert_ptr_nonnull (before);
  ck_assert (!before->posted);
  ck_assert_int_eq (before->category_id, drinks_id);
  ck_assert_str_eq (before->started_by, "1001");
  ck_assert_uint_eq (before->n_counted, 2);
  ck_assert_uint_eq (before->n_uncounted, 1); /* product 1: drinks, never counted */
  ck_assert_uint_eq (before->lines->len, 3);
  line = g_ptr_array_index (before->lines, 0);
  ck_assert_int_eq (line->product_id, product_ids[0]);
  ck_assert_int_eq (line->counted, 8 * ONE);
  ck_assert_int_eq (line->expected, 10 * ONE);
  ck_assert_int_eq (line->variance, -2 * ONE);
  line = g_ptr_array_index (before->lines, 1);
  ck_assert_int_eq (line->product_id, product_ids[2]);
  ck_assert_int_eq (line->counted, 3 * ONE);
  ck_assert_int_eq (line->variance, -7 * ONE);
  line = g_ptr_array_index (before->lines, 2);
  ck_assert_int_eq (line->product_id, product_ids[1]);
  ck_assert_int_eq (line->counted, -1);
  ck_assert_int_eq (line->variance, 0);
  ck_assert_int_eq (line->expected, 10 * ONE);
  ck_assert_int_eq (before->variance_value, -2 * product_cost (0) - 7 * product_cost (2));

  ck_assert_msg (till_stock_post_stocktake (store, journal, supervisor, uuid, NULL, &error), "%s",
                 error ? error->message : "");
  /* Counted 8, then 2 sold: 6 left. */
  ck_assert_int_eq (level (0), 6 * ONE);
  ck_assert_int_eq (level (1), 10 * ONE);
  ck_assert_int_eq (level (2), 3 * ONE);
  ck_assert_int_eq (level (3), 10 * ONE);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move WHERE reason = 'stocktake' "
                               "AND ref_uuid = ? AND user_code = '2001' AND unit_cost >= 0",
                               uuid),
                    2);
  ck_assert_int_eq (journal_count ("stocktake"), 1);
  ck_assert_int_eq (outbox_count ("stocktake"), 1);
  ck_assert_int_eq (query_int ("SELECT json_array_length (CAST (payload AS TEXT), "
                               "'$.stocktake.lines') FROM outbox WHERE kind = 'stocktake'",
                               NULL),
                    2);

  after = till_stock_load_stocktake (store, uuid, &error);
  ck_assert (after->posted);
  ck_assert_int_gt (after->posted_us, 0);
  line = stocktake_line (after, 0);
  ck_assert_int_eq (line->expected, 10 * ONE);
  ck_assert_int_eq (line->variance, -2 * ONE);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stocktake_count WHERE expected IS NULL", NULL),
                    0);

  ck_assert (
      !till_stock_count (store, uuid, product_ids[1], ONE, FALSE, g_get_real_time (), &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);
  ck_assert (!till_stock_post_stocktake (store, journal, supervisor, uuid, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);
  g_clear_pointer (&counting, g_free);
  counting = till_stock_get_counting_stocktake (store, &error);
  ck_assert_ptr_null (counting);
  ck_assert_ptr_null (error);
  assert_levels_are_sums ();
}
END_TEST

START_TEST (test_one_stocktake_at_a_time)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStocktake) whole = NULL;
  g_autofree char *first = begin_stocktake (cashier, 0);
  g_autofree char *second = NULL;
  char            *refused;

  refused = till_stock_begin_stocktake (store, journal, supervisor, snacks_id, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_COUNTING));
  g_clear_error (&error);

  count (first, 5, 4 * ONE, FALSE);
  ck_assert_msg (till_stock_cancel_stocktake (store, journal, cashier, first, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (level (5), 0);
  ck_assert (!till_stock_cancel_stocktake (store, journal, cashier, first, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);
  ck_assert (!till_stock_post_stocktake (store, journal, supervisor, first, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE));
  g_clear_error (&error);

  refused = till_stock_begin_stocktake (store, journal, supervisor, 424242, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND));
  g_clear_error (&error);
  ck_assert (!till_stock_count (store, "no-such-stocktake", product_ids[0], ONE, TRUE, 1, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND));
  g_clear_error (&error);

  second = begin_stocktake (supervisor, 0);
  ck_assert_int_eq (query_int ("SELECT stocktake_no FROM stocktake WHERE uuid = ?", second), 2);
  whole = till_stock_load_stocktake (store, second, &error);
  ck_assert_uint_eq (whole->n_counted, 0);
  ck_assert_uint_eq (whole->n_uncounted, N_PRODUCTS);
  /* Posting with nothing counted moves nothing but is still recorded. */
  ck_assert (till_stock_post_stocktake (store, journal, supervisor, second, NULL, &error));
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_move", NULL), 0);
  ck_assert_int_eq (journal_count ("stocktake-begin"), 2);
  ck_assert_int_eq (journal_count ("stocktake-cancel"), 1);
  ck_assert_int_eq (outbox_count ("stocktake"), 1);
}
END_TEST

START_TEST (test_limits_and_alerts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (TillStockItem) item = NULL;
  TillStockLimits limits = { .lower = 5 * ONE,
                             .upper = 20 * ONE,
                             .lead_time_days = 3,
                             .pack_size = 12 * ONE,
                             .supplier = (char *) " 供应商乙 " };
  TillStockLimits over = { .lower = -1, .upper = 2 * ONE, .lead_time_days = 2, .pack_size = ONE };
  TillStockLimits deep = { .lower = 10 * ONE, .upper = -1, .lead_time_days = 2, .pack_size = ONE };
  TillStockLimits bad = limits;
  TillStockLimits read = { 0 };
  guint           low_count = 99, over_count = 99;
  const TillStockItem *first;

  ck_assert (till_stock_get_limits (store, product_ids[1], &read, &error));
  ck_assert_int_eq (read.lower, -1);
  ck_assert_int_eq (read.upper, -1);
  ck_assert_int_eq (read.lead_time_days, 2);
  ck_assert_int_eq (read.pack_size, ONE);
  ck_assert_ptr_null (read.supplier);
  ck_assert (!till_stock_get_limits (store, 999999, &read, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND));
  g_clear_error (&error);

  bad.lower = 30 * ONE;
  ck_assert (
      !till_stock_set_limits (store, journal, supervisor, product_ids[0], &bad, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_LIMITS));
  g_clear_error (&error);
  bad = limits;
  bad.lower = -2;
  ck_assert (
      !till_stock_set_limits (store, journal, supervisor, product_ids[0], &bad, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  bad = limits;
  bad.pack_size = 0;
  ck_assert (
      !till_stock_set_limits (store, journal, supervisor, product_ids[0], &bad, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  bad = limits;
  bad.lead_time_days = 400;
  ck_assert (
      !till_stock_set_limits (store, journal, supervisor, product_ids[0], &bad, NULL, &error));
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (journal_count ("stock-limits"), 0);

  ck_assert (
      till_stock_set_limits (store, journal, supervisor, product_ids[0], &limits, NULL, &error));
  ck_assert (
      till_stock_set_limits (store, journal, supervisor, product_ids[1], &over, NULL, &error));
  ck_assert (
      till_stock_set_limits (store, journal, supervisor, product_ids[3], &deep, NULL, &error));
  ck_assert_int_eq (journal_count ("stock-limits"), 3);
  ck_assert (till_stock_get_limits (store, product_ids[0], &read, &error));
  ck_assert_int_eq (read.lower, 5 * ONE);
  ck_assert_int_eq (read.upper, 20 * ONE);
  ck_assert_int_eq (read.lead_time_days, 3);
  ck_assert_int_eq (read.pack_size, 12 * ONE);
  ck_assert_str_eq (read.supplier, "供应商乙");
  till_stock_limits_clear (&read);

  /* Product 0: 3 of a lower 5 (0.6); product 3: 1 of a lower 10 (0.1);
   * product 1: 5 above an upper 2; product 2 has no limits. */
  stock_up (0, 3 * ONE);
  stock_up (1, 5 * ONE);
  stock_up (2, 100 * ONE);
  stock_up (3, ONE);
  ck_assert (till_stock_count_alerts (store, &low_count, &over_count, &error));
  ck_assert_uint_eq (low_count, 2);
  ck_assert_uint_eq (over_count, 1);
  alerts = till_stock_list_alerts (store, &error);
  ck_assert_uint_eq (alerts->len, 3);
  first = g_ptr_array_index (alerts, 0);
  ck_assert_int_eq (first->product_id, product_ids[3]);
  ck_assert_int_eq (first->alert, TILL_STOCK_ALERT_LOW);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (alerts, 1))->product_id, product_ids[0]);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (alerts, 2))->product_id, product_ids[1]);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (alerts, 2))->alert,
                    TILL_STOCK_ALERT_OVER);

  item = till_stock_get_item (store, product_ids[0], &error);
  ck_assert_int_eq (item->alert, TILL_STOCK_ALERT_LOW);
  ck_assert_int_eq (item->level, 3 * ONE);
  ck_assert_int_eq (item->limits.pack_size, 12 * ONE);
  ck_assert_str_eq (item->sku, "S001");
  g_clear_pointer (&item, till_stock_item_free);

  /* At the lower limit is still low; one above is not. */
  stock_up (0, 2 * ONE);
  item = till_stock_get_item (store, product_ids[0], &error);
  ck_assert_int_eq (item->alert, TILL_STOCK_ALERT_LOW);
  g_clear_pointer (&item, till_stock_item_free);
  stock_up (0, 1);
  item = till_stock_get_item (store, product_ids[0], &error);
  ck_assert_int_eq (item->alert, TILL_STOCK_ALERT_NONE);
  ck_assert (till_stock_count_alerts (store, &low_count, &over_count, &error));
  ck_assert_uint_eq (low_count, 1);
  ck_assert_uint_eq (over_count, 1);

  /* A deactivated product raises no alert. */
  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "UPDATE product SET active = 0 WHERE sku = 'S002'", NULL, NULL,
                                  NULL),
                    SQLITE_OK);
  ck_assert (till_stock_count_alerts (store, &low_count, &over_count, &error));
  ck_assert_uint_eq (over_count, 0);
  g_clear_pointer (&alerts, g_ptr_array_unref);
  alerts = till_stock_list_alerts (store, &error);
  ck_assert_uint_eq (alerts->len, 1);

  /* Clearing a limit. */
  deep.lower = -1;
  ck_assert (
      till_stock_set_limits (store, journal, supervisor, product_ids[3], &deep, NULL, &error));
  ck_assert (till_stock_count_alerts (store, &low_count, &over_count, &error));
  ck_assert_uint_eq (low_count, 0);
}
END_TEST

START_TEST (test_transfers)
{
  g_autoptr (GError) error = NULL;
  TillStockLine    out_lines[] = { line_of (0, 2 * ONE, -1) };
  TillStockLine    in_lines[] = { line_of (1, 3 * ONE, 150), line_of (2, 500, -1) };
  g_autofree char *out = NULL;
  g_autofree char *in = NULL;
  gint64           cost_1 = product_cost (1);
  char            *refused;

  stock_up (0, 5 * ONE);
  out = till_stock_transfer (store, journal, supervisor, TILL_TRANSFER_OUT, "S02", NULL, out_lines,
                             1, NULL, &error);
  ck_assert_msg (out != NULL, "%s", error ? error->message : "");
  in = till_stock_transfer (store, journal, supervisor, TILL_TRANSFER_IN, "S03", " T-000007 ",
                            in_lines, G_N_ELEMENTS (in_lines), NULL, &error);
  ck_assert_msg (in != NULL, "%s", error ? error->message : "");

  ck_assert_int_eq (level (0), 3 * ONE);
  ck_assert_int_eq (level (1), 3 * ONE);
  ck_assert_int_eq (level (2), 500);
  ck_assert_int_eq (product_cost (1), cost_1);
  ck_assert_int_eq (query_int ("SELECT delta FROM stock_move WHERE reason = 'transfer-out' "
                               "AND ref_uuid = ?",
                               out),
                    -2 * ONE);
  ck_assert_int_eq (
      query_int ("SELECT unit_cost FROM stock_move WHERE reason = 'transfer-out'", NULL),
      product_cost (0));
  ck_assert_int_eq (query_int ("SELECT sum (delta) FROM stock_move WHERE reason = 'transfer-in' "
                               "AND ref_uuid = ?",
                               in),
                    3 * ONE + 500);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_transfer WHERE direction = 'in' "
                               "AND other_store = 'S03' AND reference = 'T-000007' "
                               "AND transfer_no = 2",
                               NULL),
                    1);
  ck_assert_int_eq (
      query_int ("SELECT count(*) FROM stock_transfer_line WHERE transfer_uuid = ?", in), 2);
  ck_assert_int_eq (outbox_count ("stock-transfer"), 2);
  ck_assert_int_eq (journal_count ("stock-transfer"), 2);
  ck_assert_int_eq (query_int ("SELECT json_extract (CAST (payload AS TEXT), "
                               "'$.stock_transfer.lines[0].unit_cost') FROM outbox "
                               "WHERE ref_uuid = ?",
                               in),
                    150);

  refused = till_stock_transfer (store, journal, supervisor, TILL_TRANSFER_OUT, "  ", NULL,
                                 out_lines, 1, NULL, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  refused = till_stock_transfer (store, journal, supervisor, TILL_TRANSFER_OUT, "S02", NULL,
                                 out_lines, 0, NULL, &error);
  ck_assert_ptr_null (refused);
  ck_assert (g_error_matches (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_transfer", NULL), 2);
  assert_levels_are_sums ();
}
END_TEST

static gboolean
items_have (GPtrArray *items, guint product)
{
  for (guint i = 0; i < items->len; i++)
    if (((TillStockItem *) g_ptr_array_index (items, i))->product_id == product_ids[product])
      return TRUE;
  return FALSE;
}

START_TEST (test_lists_and_slow_movers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  gint64 now_us;

  stock_up (0, 5 * ONE);
  stock_up (1, 5 * ONE);
  stock_up (3, 5 * ONE);
  sell_one (0, ONE);
  now_us = g_get_real_time ();

  items = till_stock_list (store, NULL, 0, 0, &error);
  ck_assert_uint_eq (items->len, N_PRODUCTS);
  ck_assert_str_eq (((TillStockItem *) g_ptr_array_index (items, 0))->sku, "S001");
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (items, 0))->level, 4 * ONE);
  ck_assert_int_gt (((TillStockItem *) g_ptr_array_index (items, 0))->last_sale_us, 0);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (items, 1))->last_sale_us, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = till_stock_list (store, NULL, 0, 3, &error);
  ck_assert_uint_eq (items->len, 3);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Drinks include tea. */
  items = till_stock_list (store, NULL, drinks_id, 0, &error);
  ck_assert_uint_eq (items->len, 3);
  ck_assert (items_have (items, 2));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = till_stock_list (store, NULL, tea_id, 0, &error);
  ck_assert_uint_eq (items->len, 1);
  g_clear_pointer (&items, g_ptr_array_unref);

  items = till_stock_list (store, "s004", 0, 0, &error);
  ck_assert_uint_eq (items->len, 1);
  ck_assert (items_have (items, 3));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = till_stock_list (store, "雪碧", 0, 0, &error);
  ck_assert_uint_eq (items->len, 1);
  ck_assert (items_have (items, 1));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = till_stock_list (store, "4567", 0, 0, &error);
  ck_assert_uint_eq (items->len, 1);
  ck_assert (items_have (items, 0));
  g_clear_pointer (&items, g_ptr_array_unref);
  {
    g_autofree char *pinyin = query_text ("SELECT pinyin FROM product WHERE sku = 'S004'", NULL);

    ck_assert_msg (*pinyin != '\0', "the catalog gave no pinyin");
    items = till_stock_list (store, pinyin, 0, 0, &error);
    ck_assert (items_have (items, 3));
    g_clear_pointer (&items, g_ptr_array_unref);
  }
  items = till_stock_list (store, "%", 0, 0, &error);
  ck_assert_uint_eq (items->len, 0);
  g_clear_pointer (&items, g_ptr_array_unref);

  /* Now: products 1 and 3 never sold and have stock; 0 sold just now. */
  items = till_stock_list_slow_movers (store, 5, now_us, 0, &error);
  ck_assert_uint_eq (items->len, 2);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (items, 0))->product_id, product_ids[1]);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (items, 1))->product_id, product_ids[3]);
  g_clear_pointer (&items, g_ptr_array_unref);
  /* Ten days on, product 0's sale is old too, and comes after the never
   * sold. */
  items = till_stock_list_slow_movers (store, 5, now_us + 10 * DAY_US, 0, &error);
  ck_assert_uint_eq (items->len, 3);
  ck_assert_int_eq (((TillStockItem *) g_ptr_array_index (items, 2))->product_id, product_ids[0]);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = till_stock_list_slow_movers (store, 5, now_us + 10 * DAY_US, 1, &error);
  ck_assert_uint_eq (items->len, 1);
}
END_TEST

/* Every act leaves one journal entry and, where HQ keeps it, one outbox
 * row of its kind whose document is the act's, tied to the entry. */
START_TEST (test_every_act_is_recorded)
{
  g_autoptr (GError) error = NULL;
  TillStockLine   line = line_of (4, 2 * ONE, 300);
  TillStockLimits limits = { .lower = ONE, .upper = -1, .lead_time_days = 2, .pack_size = ONE };
  struct
  {
    const char *journal_kind;
    const char *outbox_kind;
    char       *ref;
  } acts[8] = { { 0 } };
  guint n = 0;

  acts[n].journal_kind = "stock-adjustment";
  acts[n].outbox_kind = "stock-adjustment";
  acts[n++].ref = adjust (supervisor, 4, ONE, TILL_STOCK_REASON_ADJUSTMENT);
  acts[n].journal_kind = "stock-adjustment";
  acts[n].outbox_kind = "stock-adjustment";
  acts[n++].ref = adjust (supervisor, 4, -ONE, TILL_STOCK_REASON_DAMAGE);
  acts[n].journal_kind = "purchase-order";
  acts[n].outbox_kind = "purchase-order";
  acts[n++].ref = till_stock_create_purchase_order (store, journal, supervisor, "甲", NULL, &line,
                                                    1, NULL, &error);
  acts[n].journal_kind = "receiving";
  acts[n].outbox_kind = "goods-receipt";
  acts[n].ref = receive (supervisor, acts[n - 1].ref, &line, 1);
  n++;
  acts[n].journal_kind = "stock-transfer";
  acts[n].outbox_kind = "stock-transfer";
  acts[n++].ref = till_stock_transfer (store, journal, supervisor, TILL_TRANSFER_OUT, "S09", NULL,
                                       &line, 1, NULL, &error);
  acts[n].journal_kind = "stocktake-begin";
  acts[n++].ref = begin_stocktake (supervisor, snacks_id);
  count (acts[n - 1].ref, 4, 7 * ONE, FALSE);
  ck_assert (till_stock_post_stocktake (store, journal, supervisor, acts[n - 1].ref, NULL, &error));
  acts[n].journal_kind = "stocktake";
  acts[n].outbox_kind = "stocktake";
  acts[n].ref = g_strdup (acts[n - 1].ref);
  n++;
  ck_assert (
      till_stock_set_limits (store, journal, supervisor, product_ids[4], &limits, NULL, &error));

  ck_assert_int_eq (query_int ("SELECT count(*) FROM outbox", NULL), 6);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind <> 'stock-limits'", NULL),
                    n);
  ck_assert_int_eq (journal_count ("stock-limits"), 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = NULL;

      ck_assert_msg (acts[i].ref != NULL, "act %u", i);
      sql = g_strdup_printf ("SELECT count(*) FROM journal WHERE kind = '%s' AND ref_uuid = ?",
                             acts[i].journal_kind);
      ck_assert_int_eq (query_int (sql, acts[i].ref), 1);
      if (acts[i].outbox_kind == NULL)
        continue;
      g_free (sql);
      /* The document names itself and the journal entry it came with. */
      sql = g_strdup_printf (
          "SELECT count(*) FROM outbox o JOIN journal j ON j.seq = json_extract (CAST "
          "(o.payload AS TEXT), '$.journal_seq') WHERE o.kind = '%s' AND o.ref_uuid = ?1 "
          "AND j.ref_uuid = ?1 AND json_extract (CAST (o.payload AS TEXT), "
          "'$.' || replace (o.kind, '-', '_') || '.uuid') = ?1",
          acts[i].outbox_kind);
      ck_assert_int_eq (query_int (sql, acts[i].ref), 1);
    }
  ck_assert_int_eq (level (4), ONE - ONE + 2 * ONE - 2 * ONE + 7 * ONE);
  ck_assert_msg (till_journal_verify (journal, NULL, &error), "%s", error ? error->message : "");
  for (guint i = 0; i < n; i++)
    g_free (acts[i].ref);
}
END_TEST

/* --- The randomized run -------------------------------------------------------- */

typedef struct
{
  GRand     *rand;
  gint64     model[N_PRODUCTS][2]; /* [product][0: stock, 1: damaged] */
  GPtrArray *sales;                /* TillSale */
  char      *stocktake;            /* counting, or NULL */
  gint64     expected_at_count[N_PRODUCTS];
  gboolean   counted[N_PRODUCTS];
  guint      acts[10];
} Run;

static guint
index_of (gint64 product_id)
{
  for (guint p = 0; p < N_PRODUCTS; p++)
    if (product_ids[p] == product_id)
      return p;
  ck_abort_msg ("unknown product %" PRId64, product_id);
  return 0;
}

static guint
random_product (Run *run)
{
  return (guint) g_rand_int_range (run->rand, 0, N_PRODUCTS);
}

static gint64
random_quantity (Run *run)
{
  /* Whole units mostly, grams now and then. */
  if (g_rand_int_range (run->rand, 0, 5) == 0)
    return g_rand_int_range (run->rand, 1, 2500);
  return g_rand_int_range (run->rand, 1, 6) * ONE;
}

static void
random_sale (Run *run)
{
  guint n_lines = (guint) g_rand_int_range (run->rand, 1, 4);

  for (guint i = 0; i < n_lines; i++)
    {
      guint  product = random_product (run);
      gint64 quantity = g_rand_int_range (run->rand, 1, 4) * ONE;

      add_to_cart (product, quantity);
      run->model[product][0] -= quantity;
    }
  g_ptr_array_add (run->sales, sell ());
}

static void
random_return (Run *run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReturn) back = NULL;
  TillSale        *sale;
  TillReturnReason reason;

  if (run->sales->len == 0)
    return;
  sale = g_ptr_array_index (run->sales, g_rand_int_range (run->rand, 0, (int) run->sales->len));
  back = till_return_new_with_receipt (store, sale, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    if (till_return_get_returnable (back, i) >= ONE)
      {
        gint64 product_id = till_sale_get_line (sale, i)->product_id;

        reason = g_rand_boolean (run->rand) ? TILL_RETURN_REASON_CHANGED_MIND
                                            : TILL_RETURN_REASON_DAMAGED;
        ck_assert (till_return_set_quantity (back, i, ONE, &error));
        till_return_set_reason (back, reason);
        ck_assert_msg (till_return_commit (back, journal, manager, NULL, &error), "%s",
                       error ? error->message : "");
        run->model[index_of (product_id)][reason == TILL_RETURN_REASON_DAMAGED ? 1 : 0] += ONE;
        return;
      }
}

/* 1 to 3 lines of distinct products. */
static guint
random_lines (Run *run, TillStockLine *lines)
{
  guint n_lines = (guint) g_rand_int_range (run->rand, 1, 4);
  guint first = random_product (run);

  for (guint i = 0; i < n_lines; i++)
    lines[i] = line_of ((first + i) % N_PRODUCTS, random_quantity (run),
                        g_rand_boolean (run->rand) ? -1 : g_rand_int_range (run->rand, 0, 5000));
  return n_lines;
}

static void
random_receiving (Run *run)
{
  TillStockLine    lines[3];
  guint            n_lines = random_lines (run, lines);
  g_autofree char *uuid = receive (manager, NULL, lines, n_lines);

  for (guint i = 0; i < n_lines; i++)
    run->model[index_of (lines[i].product_id)][0] += lines[i].quantity;
}

/* A purchase order received in one delivery, or in two (the first leaving
 * some lines short), or left partly received. */
static void
random_order_received (Run *run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPurchaseOrder) order = NULL;
  TillStockLine    lines[3];
  gint64           received[3] = { 0 };
  guint            n_lines = random_lines (run, lines);
  guint            deliveries = (guint) g_rand_int_range (run->rand, 1, 3);
  gboolean         complete = TRUE;
  g_autofree char *po = till_stock_create_purchase_order (store, journal, manager, "乙", NULL,
                                                          lines, n_lines, NULL, &error);

  ck_assert_msg (po != NULL, "%s", error ? error->message : "");
  for (guint round = 0; round < deliveries; round++)
    {
      TillStockLine    delivered[3];
      guint            n_delivered = 0;
      g_autofree char *receipt = NULL;

      for (guint i = 0; i < n_lines; i++)
        {
          gint64 quantity = lines[i].quantity - received[i];

          if (round == 0 && g_rand_boolean (run->rand))
            quantity /= 2;
          if (quantity <= 0)
            continue;
          delivered[n_delivered] = lines[i];
          delivered[n_delivered].quantity = quantity;
          delivered[n_delivered].unit_cost = -1;
          n_delivered++;
          received[i] += quantity;
          run->model[index_of (lines[i].product_id)][0] += quantity;
        }
      if (n_delivered > 0)
        receipt = receive (manager, po, delivered, n_delivered);
    }
  order = till_stock_load_purchase_order (store, po, &error);
  ck_assert_ptr_nonnull (order);
  for (guint i = 0; i < n_lines; i++)
    {
      ck_assert_int_eq (g_array_index (order->lines, TillStockLine, i).received, received[i]);
      if (received[i] < lines[i].quantity)
        complete = FALSE;
    }
  if (complete)
    ck_assert_int_eq (order->state, TILL_PURCHASE_ORDER_RECEIVED);
  else
    ck_assert_int_eq (order->state, TILL_PURCHASE_ORDER_PARTIAL);
}

static void
random_adjustment (Run *run, TillStockReason reason)
{
  guint            product = random_product (run);
  gint64           delta = random_quantity (run);
  g_autofree char *uuid = NULL;

  if (reason == TILL_STOCK_REASON_DAMAGE || g_rand_boolean (run->rand))
    delta = -delta;
  uuid = adjust (manager, product, delta, reason);
  run->model[product][0] += delta;
}

static void
random_transfer (Run *run)
{
  g_autoptr (GError) error = NULL;
  TillStockLine    lines[3];
  guint            n_lines = random_lines (run, lines);
  gboolean         out = g_rand_boolean (run->rand);
  g_autofree char *uuid =
      till_stock_transfer (store, journal, manager, out ? TILL_TRANSFER_OUT : TILL_TRANSFER_IN,
                           "S02", out ? NULL : "T-1", lines, n_lines, NULL, &error);

  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < n_lines; i++)
    run->model[index_of (lines[i].product_id)][0] += out ? -lines[i].quantity : lines[i].quantity;
}

/* A stocktake over everything runs across several acts: begun, counted a
 * few times (other acts happen in between), then posted. */
static void
random_stocktake_step (Run *run)
{
  g_autoptr (GError) error = NULL;

  if (run->stocktake == NULL)
    {
      run->stocktake = begin_stocktake (manager, 0);
      memset (run->counted, 0, sizeof run->counted);
      return;
    }
  if (g_rand_int_range (run->rand, 0, 3) != 0)
    {
      guint  product = random_product (run);
      gint64 counted = g_rand_int_range (run->rand, 0, 30) * ONE;

      /* The book stock at the count is what the count is measured against:
       * later acts are no variance. */
      run->expected_at_count[product] = run->model[product][0];
      run->counted[product] = TRUE;
      count (run->stocktake, product, counted, FALSE);
      run->expected_at_count[product] -= counted; /* −variance, kept until posting */
      return;
    }
  ck_assert_msg (till_stock_post_stocktake (store, journal, manager, run->stocktake, NULL, &error),
                 "%s", error ? error->message : "");
  for (guint p = 0; p < N_PRODUCTS; p++)
    if (run->counted[p])
      run->model[p][0] -= run->expected_at_count[p];
  g_clear_pointer (&run->stocktake, g_free);
}

static void
check_against_model (Run *run)
{
  assert_levels_are_sums ();
  for (guint p = 0; p < N_PRODUCTS; p++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillStockItem) item = till_stock_get_item (store, product_ids[p], &error);
      g_autofree char *sum_sql = g_strdup_printf (
          "SELECT coalesce (sum (delta), 0) FROM stock_move WHERE product_id = %" PRId64
          " AND location = 'stock'",
          product_ids[p]);

      ck_assert_ptr_nonnull (item);
      ck_assert_int_eq (level (p), run->model[p][0]);
      ck_assert_int_eq (item->level, run->model[p][0]);
      ck_assert_int_eq (item->damaged, run->model[p][1]);
      ck_assert_int_eq (query_int (sum_sql, NULL), run->model[p][0]);
    }
}

START_TEST (test_random_acts_keep_levels_equal_to_sums)
{
  const char *seed_text = g_getenv ("TILL_TEST_SEED");
  guint32     seed = seed_text != NULL ? (guint32) strtoul (seed_text, NULL, 10) : 20261123;
  Run         run = { 0 };
  guint       n_acts = 400;

  run.rand = g_rand_new_with_seed (seed);
  run.sales = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_acts; i++)
    {
      guint kind = (guint) g_rand_int_range (run.rand, 0, 9);

      run.acts[kind]++;
      switch (kind)
        {
        case 0:
        case 1:
          random_sale (&run);
          break;
        case 2:
          random_return (&run);
          break;
        case 3:
          random_receiving (&run);
          break;
        case 4:
          random_order_received (&run);
          break;
        case 5:
          random_adjustment (&run, TILL_STOCK_REASON_ADJUSTMENT);
          break;
        case 6:
          random_adjustment (&run, TILL_STOCK_REASON_DAMAGE);
          break;
        case 7:
          random_transfer (&run);
          break;
        default:
          random_stocktake_step (&run);
          break;
        }
      if (i % 50 == 49)
        check_against_model (&run);
    }
  check_against_model (&run);
  ck_assert_msg (query_int ("SELECT count(DISTINCT reason) FROM stock_move", NULL) == 8,
                 "seed %u: not every reason was exercised", seed);
  ck_assert_int_gt (query_int ("SELECT count(*) FROM stocktake WHERE state = 'posted'", NULL), 0);
  g_free (run.stocktake);
  g_ptr_array_unref (run.sales);
  g_rand_free (run.rand);
}
END_TEST

static Suite *
stock_suite (void)
{
  Suite *suite = suite_create ("stock");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_reasons);
  tcase_add_test (tc, test_adjust_and_damage);
  tcase_add_test (tc, test_moves_are_append_only);
  tcase_add_test (tc, test_permissions);
  tcase_add_test (tc, test_purchase_order_and_receiving);
  tcase_add_test (tc, test_receiving_without_order);
  tcase_add_test (tc, test_stocktake);
  tcase_add_test (tc, test_one_stocktake_at_a_time);
  tcase_add_test (tc, test_limits_and_alerts);
  tcase_add_test (tc, test_transfers);
  tcase_add_test (tc, test_lists_and_slow_movers);
  tcase_add_test (tc, test_every_act_is_recorded);
  tcase_add_test (tc, test_random_acts_keep_levels_equal_to_sums);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (stock_suite ());
}
