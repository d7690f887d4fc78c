/* till-stock.c: stock per store (进销存): movements, limits, receiving,
 * stocktake and transfers
 *
 * Every act follows the shape of till-shift.c: one transaction, the
 * permission check inside it (so that an override is journaled with the
 * act), the documents and their movements, one journal entry and, for what
 * HQ keeps, one outbox document. Levels are read from stock_level, which a
 * trigger keeps equal to the sum of stock_move; nothing here sums the
 * movements except the stocktake, whose expected quantity is the stock at
 * the moment of a count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-stock"

#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-money.h"
#include "till-outbox.h"
#include "till-permission.h"
#include "till-stock.h"
#include "till-store.h"
#include "till-user.h"
#include "till-uuid.h"

/* A quantity or a cost above these is a slip of the finger: a million units,
 * ¥10,000,000 a unit. Keeping them well below TILL_MONEY_MAX also keeps
 * every product of the two in 64 bits. */
#define MAX_QUANTITY G_GINT64_CONSTANT (1000000000)
#define MAX_UNIT_COST G_GINT64_CONSTANT (1000000000)
#define MAX_LINES 10000

/* The schema's defaults for a product without a stock_limit row. */
#define DEFAULT_LEAD_TIME_DAYS 2
#define DEFAULT_PACK_SIZE 1000

G_DEFINE_QUARK (till_stock_error_quark, till_stock_error)

/* Indexed by TillStockReason: what stock_move.reason holds. Never rename. */
static const char *const reason_names[] = {
  "sale",      "return",       "points-gift", "receiving", "adjustment",
  "stocktake", "transfer-out", "transfer-in", "damage",
};

G_STATIC_ASSERT (G_N_ELEMENTS (reason_names) == TILL_STOCK_REASON_DAMAGE + 1);

/* Indexed by TillPurchaseOrderState: what purchase_order.state holds. */
static const char *const order_state_names[] = { "open", "partial", "received", "cancelled" };

G_STATIC_ASSERT (G_N_ELEMENTS (order_state_names) == TILL_PURCHASE_ORDER_CANCELLED + 1);

const char *
till_stock_reason_to_string (TillStockReason reason)
{
  g_return_val_if_fail ((guint) reason < G_N_ELEMENTS (reason_names), NULL);
  return reason_names[reason];
}

gboolean
till_stock_reason_from_string (const char *text, TillStockReason *out_reason)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (reason_names); i++)
    if (strcmp (text, reason_names[i]) == 0)
      {
        if (out_reason != NULL)
          *out_reason = (TillStockReason) i;
        return TRUE;
      }
  return FALSE;
}

const char *
till_stock_reason_get_label (TillStockReason reason)
{
  switch (reason)
    {
    case TILL_STOCK_REASON_SALE:
      return _ ("Sale");
    case TILL_STOCK_REASON_RETURN:
      return _ ("Return");
    case TILL_STOCK_REASON_POINTS_GIFT:
      return _ ("Points gift");
    case TILL_STOCK_REASON_RECEIVING:
      return _ ("Receiving");
    case TILL_STOCK_REASON_ADJUSTMENT:
      return _ ("Adjustment");
    case TILL_STOCK_REASON_STOCKTAKE:
      return _ ("Stocktake");
    case TILL_STOCK_REASON_TRANSFER_OUT:
      return _ ("Transfer out");
    case TILL_STOCK_REASON_TRANSFER_IN:
      return _ ("Transfer in");
    case TILL_STOCK_REASON_DAMAGE:
      return _ ("Damage");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Frees the supplier and leaves "no limits" with the schema's defaults. */
void
till_stock_limits_clear (TillStockLimits *limits)
{
  g_return_if_fail (limits != NULL);

  g_clear_pointer (&limits->supplier, g_free);
  limits->lower = -1;
  limits->upper = -1;
  limits->lead_time_days = DEFAULT_LEAD_TIME_DAYS;
  limits->pack_size = DEFAULT_PACK_SIZE;
}

void
till_stock_item_free (TillStockItem *item)
{
  if (item == NULL)
    return;
  g_free (item->sku);
  g_free (item->name);
  g_free (item->unit);
  till_stock_limits_clear (&item->limits);
  g_free (item);
}

void
till_stock_move_free (TillStockMove *move)
{
  if (move == NULL)
    return;
  g_free (move->location);
  g_free (move->ref_uuid);
  g_free (move->user_code);
  g_free (move);
}

void
till_purchase_order_free (TillPurchaseOrder *order)
{
  if (order == NULL)
    return;
  g_free (order->uuid);
  g_free (order->supplier);
  g_free (order->expected_day);
  g_free (order->note);
  g_free (order->created_by);
  g_clear_pointer (&order->lines, g_array_unref);
  g_free (order);
}

void
till_stocktake_line_free (TillStocktakeLine *line)
{
  if (line == NULL)
    return;
  g_free (line->sku);
  g_free (line->name);
  g_free (line->unit);
  g_free (line);
}

void
till_stocktake_free (TillStocktake *stocktake)
{
  if (stocktake == NULL)
    return;
  g_free (stocktake->uuid);
  g_free (stocktake->started_by);
  g_clear_pointer (&stocktake->lines, g_ptr_array_unref);
  g_free (stocktake);
}

/* --- Small helpers --------------------------------------------------------- */

#define STOCK_ACT_PRECONDITIONS(store, journal, user, value)                   \
  G_STMT_START                                                                 \
  {                                                                            \
    g_return_val_if_fail (TILL_IS_STORE (store), value);                       \
    g_return_val_if_fail (TILL_IS_JOURNAL (journal), value);                   \
    g_return_val_if_fail (till_journal_get_store (journal) == (store), value); \
    g_return_val_if_fail (TILL_IS_USER (user), value);                         \
    g_return_val_if_fail (!till_store_in_transaction (store), value);          \
    g_return_val_if_fail (error == NULL || *error == NULL, value);             \
  }                                                                            \
  G_STMT_END

/* Ends the transaction an act began: commits when the act @succeeded, rolls
 * back otherwise (a failed commit has rolled back already). */
static gboolean
end_transaction (TillStore *store, gboolean succeeded, GError **error)
{
  if (succeeded && till_store_commit (store, error))
    return TRUE;
  till_store_rollback (store);
  return FALSE;
}

static gint64
column_int_or (TillStmt *stmt, int column, gint64 fallback)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return fallback;
  return sqlite3_column_int64 (stmt, column);
}

static char *
column_dup (TillStmt *stmt, int column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* @text stripped; NULL when it is NULL, empty or not UTF-8. */
static char *
strip_or_null (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (*stripped == '\0' || !g_utf8_validate (stripped, -1, NULL))
    return NULL;
  return g_steal_pointer (&stripped);
}

/* A comma before the next member unless an object or array just opened. */
static void
json_separate (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != '{' && out->str[out->len - 1] != '[')
    g_string_append_c (out, ',');
}

static void
json_open (GString *out, const char *key, char bracket)
{
  json_separate (out);
  if (key != NULL)
    g_string_append_printf (out, "\"%s\":", key);
  g_string_append_c (out, bracket);
}

/* A new document body, still open: its uuid (HQ files it under that), when
 * and who, and the supervisor who approved it when one did. */
static GString *
document_new (const char *uuid, gint64 created_us, TillUser *user, const char *approved_by)
{
  GString *body = g_string_new ("{");

  if (uuid != NULL)
    _till_json_add_string (body, "uuid", uuid);
  _till_json_add_int (body, "created_us", created_us);
  _till_json_add_user (body, user);
  if (approved_by != NULL)
    _till_json_add_string (body, "approved_by", approved_by);
  return body;
}

/* Closes @body and appends it to the journal as @kind and, when
 * @outbox_kind is given, to the outbox, in the caller's transaction; the
 * entry's seq in *@out_seq when asked. */
static gboolean
record_act (TillStore   *store,
            TillJournal *journal,
            const char  *kind,
            const char  *outbox_kind,
            const char  *payload_key,
            const char  *ref_uuid,
            gint64       created_us,
            GString     *body,
            gint64      *out_seq,
            GError     **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *hash_hex = NULL;
  guint8           hash[TILL_JOURNAL_HASH_LEN];
  gint64           seq = 0;

  g_string_append_c (body, '}');
  bytes = g_bytes_new (body->str, body->len);
  if (!till_journal_append (journal, kind, ref_uuid, created_us, bytes, &seq, hash, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = seq;
  if (outbox_kind == NULL)
    return TRUE;
  hash_hex = till_journal_hash_to_hex (hash);
  return till_outbox_append (store, outbox_kind, payload_key, ref_uuid, body->str, seq, hash_hex,
                             created_us, error);
}

/* What a document line names of its product. */
typedef struct
{
  gint64 id;
  char  *sku;
  char  *name;
  gint64 cost;
} ProductInfo;

static void
product_info_clear (ProductInfo *info)
{
  g_clear_pointer (&info->sku, g_free);
  g_clear_pointer (&info->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ProductInfo, product_info_clear)

static gboolean
load_product (TillStore *store, gint64 product_id, ProductInfo *out, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT sku, name, cost FROM product WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND,
                   _ ("There is no product %" PRId64), product_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the product"));
      return FALSE;
    }
  out->id = product_id;
  out->sku = column_dup (stmt, 0);
  out->name = column_dup (stmt, 1);
  out->cost = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* One movement; @unit_cost -1 for none. */
static gboolean
insert_move (TillStore      *store,
             gint64          product_id,
             gint64          delta,
             TillStockReason reason,
             const char     *ref_uuid,
             const char     *user_code,
             gint64          unit_cost,
             gint64          created_us,
             GError        **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store,
                          "INSERT INTO stock_move (product_id, delta, reason, location, ref_uuid, "
                          "user_code, unit_cost, created_us) VALUES (?, ?, ?, 'stock', ?, ?, ?, ?)",
                          error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_int64 (stmt, 2, delta);
  sqlite3_bind_text (stmt, 3, reason_names[reason], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, ref_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, user_code, -1, SQLITE_STATIC);
  if (unit_cost >= 0)
    sqlite3_bind_int64 (stmt, 6, unit_cost);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int64 (stmt, 7, created_us);
  return till_store_step_done (store, stmt, error);
}

static gboolean
check_quantity (gint64 quantity, GError **error)
{
  if (quantity > 0 && quantity <= MAX_QUANTITY)
    return TRUE;
  g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
               _ ("A quantity must be more than zero and at most a million units"));
  return FALSE;
}

/* Lines as callers give them: at least one, quantities above zero, costs
 * at or above zero or -1 ("the current one"). */
static gboolean
check_lines (const TillStockLine *lines, guint n_lines, GError **error)
{
  if (n_lines == 0 || lines == NULL)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("A document needs at least one line"));
      return FALSE;
    }
  if (n_lines > MAX_LINES)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("A document has at most 10,000 lines"));
      return FALSE;
    }
  for (guint i = 0; i < n_lines; i++)
    {
      if (!check_quantity (lines[i].quantity, error))
        return FALSE;
      if (lines[i].unit_cost < -1 || lines[i].unit_cost > MAX_UNIT_COST)
        {
          g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                       _ ("A cost must be zero or more and at most ¥10,000,000 a unit"));
          return FALSE;
        }
    }
  return TRUE;
}

/* A line with its product read and its cost decided. */
typedef struct
{
  ProductInfo product;
  gint64      quantity;
  gint64      unit_cost;
} ResolvedLine;

static void
resolved_line_clear (gpointer data)
{
  product_info_clear (&((ResolvedLine *) data)->product);
}

/* Reads each line's product (NOT_FOUND for an unknown one); a cost of -1
 * becomes the product's current cost. */
static GArray *
resolve_lines (TillStore *store, const TillStockLine *lines, guint n_lines, GError **error)
{
  g_autoptr (GArray) resolved = g_array_sized_new (FALSE, TRUE, sizeof (ResolvedLine), n_lines);

  g_array_set_clear_func (resolved, resolved_line_clear);
  for (guint i = 0; i < n_lines; i++)
    {
      ResolvedLine line = { { 0 } };

      if (!load_product (store, lines[i].product_id, &line.product, error))
        return NULL;
      line.quantity = lines[i].quantity;
      line.unit_cost = lines[i].unit_cost >= 0 ? lines[i].unit_cost : line.product.cost;
      g_array_append_val (resolved, line);
    }
  return g_steal_pointer (&resolved);
}

/* Appends "lines":[{"line_no":…,"product_id":…,"sku":…,"name":…,
 * "quantity":…,"unit_cost":…,"value":…},…]. */
static void
add_lines_json (GString *out, GArray *lines)
{
  json_open (out, "lines", '[');
  for (guint i = 0; i < lines->len; i++)
    {
      const ResolvedLine *line = &g_array_index (lines, ResolvedLine, i);

      json_open (out, NULL, '{');
      _till_json_add_int (out, "line_no", i + 1);
      _till_json_add_int (out, "product_id", line->product.id);
      _till_json_add_string (out, "sku", line->product.sku);
      _till_json_add_string (out, "name", line->product.name);
      _till_json_add_int (out, "quantity", line->quantity);
      _till_json_add_int (out, "unit_cost", line->unit_cost);
      _till_json_add_int (out, "value", till_money_line_amount (line->unit_cost, line->quantity));
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

/* What the lines are worth at their costs, fen. */
static gint64
lines_value (GArray *lines)
{
  gint64 total = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      const ResolvedLine *line = &g_array_index (lines, ResolvedLine, i);

      total += till_money_line_amount (line->unit_cost, line->quantity);
    }
  return total;
}

/* Inserts the (uuid, line_no, product_id, quantity, unit_cost) rows of
 * @lines with @sql. */
static gboolean
insert_document_lines (
    TillStore *store, const char *sql, const char *uuid, GArray *lines, GError **error)
{
  for (guint i = 0; i < lines->len; i++)
    {
      const ResolvedLine *line = &g_array_index (lines, ResolvedLine, i);
      g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, (int) i + 1);
      sqlite3_bind_int64 (stmt, 3, line->product.id);
      sqlite3_bind_int64 (stmt, 4, line->quantity);
      sqlite3_bind_int64 (stmt, 5, line->unit_cost);
      if (!till_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* --- Reading stock ------------------------------------------------------- */

/**
 * till_stock_get_level:
 *
 * Returns: the saleable stock of @product_id; 0 with @error set on failure
 */
gint64
till_stock_get_level (TillStore *store, gint64 product_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  stmt = till_store_prepare (
      store, "SELECT quantity FROM stock_level WHERE product_id = ? AND location = 'stock'", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, _ ("Cannot read the stock level"));
  return 0;
}

/* The columns item_from_row() reads. The last sale walks the product's
 * movements newest first on stock_move (product_id, created_us) and stops
 * at the first sale. */
#define ITEM_SELECT                                                                     \
  "SELECT p.id, p.sku AS sku, p.name, p.unit, p.weighed, coalesce (p.category_id, 0), " \
  "coalesce (st.quantity, 0) AS level, coalesce (dm.quantity, 0), p.cost, l.lower, "    \
  "l.upper, coalesce (l.lead_time_days, 2), coalesce (l.pack_size, 1000), l.supplier, " \
  "coalesce ((SELECT m.created_us FROM stock_move m WHERE m.product_id = p.id "         \
  "AND m.reason = 'sale' ORDER BY m.created_us DESC LIMIT 1), 0) AS last_sale_us "      \
  "FROM product p "                                                                     \
  "LEFT JOIN stock_level st ON st.product_id = p.id AND st.location = 'stock' "         \
  "LEFT JOIN stock_level dm ON dm.product_id = p.id AND dm.location = 'damaged' "       \
  "LEFT JOIN stock_limit l ON l.product_id = p.id "

/* The condition of each alert, on ITEM_SELECT's tables. */
#define LOW_CONDITION "(l.lower IS NOT NULL AND coalesce (st.quantity, 0) <= l.lower)"
#define OVER_CONDITION "(l.upper IS NOT NULL AND coalesce (st.quantity, 0) > l.upper)"

static TillStockAlert
alert_for (gint64 level, const TillStockLimits *limits)
{
  if (limits->lower >= 0 && level <= limits->lower)
    return TILL_STOCK_ALERT_LOW;
  if (limits->upper >= 0 && level > limits->upper)
    return TILL_STOCK_ALERT_OVER;
  return TILL_STOCK_ALERT_NONE;
}

static TillStockItem *
item_from_row (TillStmt *stmt)
{
  TillStockItem *item = g_new0 (TillStockItem, 1);

  item->product_id = sqlite3_column_int64 (stmt, 0);
  item->sku = column_dup (stmt, 1);
  item->name = column_dup (stmt, 2);
  item->unit = column_dup (stmt, 3);
  item->weighed = sqlite3_column_int (stmt, 4) != 0;
  item->category_id = sqlite3_column_int64 (stmt, 5);
  item->level = sqlite3_column_int64 (stmt, 6);
  item->damaged = sqlite3_column_int64 (stmt, 7);
  item->cost = sqlite3_column_int64 (stmt, 8);
  item->limits.lower = column_int_or (stmt, 9, -1);
  item->limits.upper = column_int_or (stmt, 10, -1);
  item->limits.lead_time_days = sqlite3_column_int (stmt, 11);
  item->limits.pack_size = sqlite3_column_int64 (stmt, 12);
  item->limits.supplier = column_dup (stmt, 13);
  item->last_sale_us = sqlite3_column_int64 (stmt, 14);
  item->alert = alert_for (item->level, &item->limits);
  return item;
}

/* Every row of @stmt (bound) as a TillStockItem. */
static GPtrArray *
collect_items (TillStore *store, TillStmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) items =
      g_ptr_array_new_with_free_func ((GDestroyNotify) till_stock_item_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, item_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the stock"));
      return NULL;
    }
  return g_steal_pointer (&items);
}

/**
 * till_stock_get_item:
 *
 * Returns: (transfer full): the product's stock, or %NULL with @error set
 */
TillStockItem *
till_stock_get_item (TillStore *store, gint64 product_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store, ITEM_SELECT "WHERE p.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return item_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND,
                 _ ("There is no product %" PRId64), product_id);
  else
    till_store_set_error (store, error, _ ("Cannot read the stock"));
  return NULL;
}

/* Makes @text a LIKE pattern matching it anywhere, with its own % _ and \
 * matched literally (the statements say ESCAPE '\'). */
static char *
like_pattern (const char *text)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* Category ?2 and every category under it, as the table "scope". UNION
 * (not UNION ALL) ends the walk even if parents ever form a loop. */
#define SCOPE_CTE                                                   \
  "WITH RECURSIVE scope (id) AS (SELECT ?2 UNION SELECT c.id FROM " \
  "category c JOIN scope ON c.parent_id = scope.id) "

/**
 * till_stock_list:
 * @query: (nullable): text found in the SKU, name, pinyin or a barcode
 * @category_id: a category, with its subcategories; 0 for all
 * @limit: at most this many; 0 for no limit
 *
 * Returns: (transfer full) (element-type TillStockItem): the products, or
 *   %NULL with @error set
 */
GPtrArray *
till_stock_list (
    TillStore *store, const char *query, gint64 category_id, guint limit, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *pattern = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stripped = strip_or_null (query);
  if (stripped != NULL)
    pattern = like_pattern (stripped);
  stmt = till_store_prepare (
      store,
      SCOPE_CTE ITEM_SELECT
      "WHERE p.active AND (?2 = 0 OR p.category_id IN (SELECT id FROM scope)) "
      "AND (?1 IS NULL OR p.sku LIKE ?1 ESCAPE '\\' OR p.name LIKE ?1 ESCAPE '\\' "
      "OR p.pinyin LIKE ?1 ESCAPE '\\' OR EXISTS (SELECT 1 FROM barcode b "
      "WHERE b.product_id = p.id AND b.code LIKE ?1 ESCAPE '\\')) "
      "ORDER BY p.sku LIMIT ?3",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, category_id);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit : -1);
  return collect_items (store, stmt, error);
}

/**
 * till_stock_list_alerts:
 *
 * Low products first, then over ones; in each group the lowest level
 * relative to its limit first, then by SKU.
 *
 * Returns: (transfer full) (element-type TillStockItem): the products, or
 *   %NULL with @error set
 */
GPtrArray *
till_stock_list_alerts (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The ratio only orders the list: floating point is fine for that. */
  stmt = till_store_prepare (
      store,
      ITEM_SELECT "WHERE p.active AND (" LOW_CONDITION " OR " OVER_CONDITION ") "
                  "ORDER BY CASE WHEN " LOW_CONDITION " THEN 0 ELSE 1 END, "
                  "CAST (coalesce (st.quantity, 0) AS REAL) / "
                  "max (CASE WHEN " LOW_CONDITION " THEN l.lower ELSE l.upper END, 1), p.sku",
      error);
  if (stmt == NULL)
    return NULL;
  return collect_items (store, stmt, error);
}

/**
 * till_stock_count_alerts:
 *
 * One pass over the products that have limits.
 */
gboolean
till_stock_count_alerts (TillStore *store, guint *out_low, guint *out_over, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = till_store_prepare (
      store,
      "SELECT coalesce (sum (" LOW_CONDITION "), 0), coalesce (sum (" OVER_CONDITION "), 0) "
      "FROM stock_limit l JOIN product p ON p.id = l.product_id AND p.active "
      "LEFT JOIN stock_level st ON st.product_id = l.product_id AND st.location = 'stock'",
      error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot count the stock alerts"));
      return FALSE;
    }
  if (out_low != NULL)
    *out_low = (guint) sqlite3_column_int64 (stmt, 0);
  if (out_over != NULL)
    *out_over = (guint) sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/**
 * till_stock_list_slow_movers:
 * @limit: at most this many; 0 for no limit
 *
 * Returns: (transfer full) (element-type TillStockItem): the products, or
 *   %NULL with @error set
 */
GPtrArray *
till_stock_list_slow_movers (TillStore *store, int days, gint64 now_us, guint limit, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (days >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT * FROM (" ITEM_SELECT "WHERE p.active) "
                             "WHERE level > 0 AND last_sale_us < ?1 "
                             "ORDER BY last_sale_us, sku LIMIT ?2",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now_us - (gint64) days * 24 * 3600 * G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  return collect_items (store, stmt, error);
}

/**
 * till_stock_list_moves:
 * @limit: at most this many; 0 for no limit
 *
 * Returns: (transfer full) (element-type TillStockMove): the movements,
 *   newest first, or %NULL with @error set
 */
GPtrArray *
till_stock_list_moves (TillStore *store, gint64 product_id, guint limit, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) moves = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT id, delta, reason, location, ref_uuid, user_code, unit_cost, "
                             "created_us FROM stock_move WHERE product_id = ? "
                             "ORDER BY created_us DESC, id DESC LIMIT ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  moves = g_ptr_array_new_with_free_func ((GDestroyNotify) till_stock_move_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillStockMove *move = g_new0 (TillStockMove, 1);

      move->id = sqlite3_column_int64 (stmt, 0);
      move->product_id = product_id;
      move->delta = sqlite3_column_int64 (stmt, 1);
      /* The schema has no CHECK on the reason: an unknown one (a newer
       * till's) reads as an adjustment rather than failing the history. */
      if (!till_stock_reason_from_string ((const char *) sqlite3_column_text (stmt, 2),
                                          &move->reason))
        move->reason = TILL_STOCK_REASON_ADJUSTMENT;
      move->location = column_dup (stmt, 3);
      move->ref_uuid = column_dup (stmt, 4);
      move->user_code = column_dup (stmt, 5);
      move->unit_cost = column_int_or (stmt, 6, -1);
      move->created_us = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (moves, move);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the stock movements"));
      return NULL;
    }
  return g_steal_pointer (&moves);
}

/* --- Limits ---------------------------------------------------------------- */

/**
 * till_stock_get_limits:
 * @out_limits: (out caller-allocates): filled in; free with
 *   till_stock_limits_clear()
 *
 * A product without limits has lower and upper -1 and the defaults (2
 * days' lead time, a pack of one unit). TILL_STOCK_ERROR_NOT_FOUND for an
 * unknown product.
 */
gboolean
till_stock_get_limits (TillStore       *store,
                       gint64           product_id,
                       TillStockLimits *out_limits,
                       GError         **error)
{
  g_auto (ProductInfo) product = { 0 };
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_limits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  out_limits->supplier = NULL;
  till_stock_limits_clear (out_limits);
  if (!load_product (store, product_id, &product, error))
    return FALSE;
  stmt = till_store_prepare (store,
                             "SELECT lower, upper, lead_time_days, pack_size, supplier "
                             "FROM stock_limit WHERE product_id = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out_limits->lower = column_int_or (stmt, 0, -1);
      out_limits->upper = column_int_or (stmt, 1, -1);
      out_limits->lead_time_days = sqlite3_column_int (stmt, 2);
      out_limits->pack_size = sqlite3_column_int64 (stmt, 3);
      out_limits->supplier = column_dup (stmt, 4);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;
  till_store_set_error (store, error, _ ("Cannot read the stock limits"));
  return FALSE;
}

static gboolean
check_limits (const TillStockLimits *limits, GError **error)
{
  if (limits->lower < -1 || limits->upper < -1 || limits->lower > MAX_QUANTITY ||
      limits->upper > MAX_QUANTITY)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("A limit must be zero or more and at most a million units"));
      return FALSE;
    }
  if (limits->lower >= 0 && limits->upper >= 0 && limits->lower > limits->upper)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_LIMITS,
                   _ ("The lower limit is above the upper one"));
      return FALSE;
    }
  if (limits->lead_time_days < 0 || limits->lead_time_days > 365)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("The lead time must be between 0 and 365 days"));
      return FALSE;
    }
  if (limits->pack_size <= 0 || limits->pack_size > MAX_QUANTITY)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("The pack size must be more than zero and at most a million units"));
      return FALSE;
    }
  return TRUE;
}

static void
bind_limit (TillStmt *stmt, int column, gint64 value)
{
  if (value >= 0)
    sqlite3_bind_int64 (stmt, column, value);
  else
    sqlite3_bind_null (stmt, column);
}

static gboolean
set_limits_in_transaction (TillStore             *store,
                           TillJournal           *journal,
                           TillUser              *user,
                           gint64                 product_id,
                           const TillStockLimits *limits,
                           const char            *supplier,
                           const TillOverride    *override,
                           GError               **error)
{
  g_auto (ProductInfo) product = { 0 };
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) body = NULL;
  const char *approved_by;
  gint64      now_us = g_get_real_time ();

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_STOCK,
                                         override, &approved_by, error) ||
      !load_product (store, product_id, &product, error))
    return FALSE;
  stmt = till_store_prepare (
      store,
      "INSERT INTO stock_limit (product_id, lower, upper, lead_time_days, pack_size, supplier) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET lower = excluded.lower, "
      "upper = excluded.upper, lead_time_days = excluded.lead_time_days, "
      "pack_size = excluded.pack_size, supplier = excluded.supplier",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  bind_limit (stmt, 2, limits->lower);
  bind_limit (stmt, 3, limits->upper);
  sqlite3_bind_int (stmt, 4, limits->lead_time_days);
  sqlite3_bind_int64 (stmt, 5, limits->pack_size);
  sqlite3_bind_text (stmt, 6, supplier, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;

  body = document_new (NULL, now_us, user, approved_by);
  _till_json_add_int (body, "product_id", product_id);
  _till_json_add_string (body, "sku", product.sku);
  _till_json_add_int (body, "lower", limits->lower);
  _till_json_add_int (body, "upper", limits->upper);
  _till_json_add_int (body, "lead_time_days", limits->lead_time_days);
  _till_json_add_int (body, "pack_size", limits->pack_size);
  _till_json_add_string (body, "supplier", supplier);
  return record_act (store, journal, "stock-limits", NULL, NULL, NULL, now_us, body, NULL, error);
}

/**
 * till_stock_set_limits:
 *
 * Also TILL_STOCK_ERROR_INVALID for a limit below -1, a lead time outside
 * 0..365 days or a pack size of zero. Journaled only: HQ is not sent limits.
 */
gboolean
till_stock_set_limits (TillStore             *store,
                       TillJournal           *journal,
                       TillUser              *user,
                       gint64                 product_id,
                       const TillStockLimits *limits,
                       const TillOverride    *override,
                       GError               **error)
{
  g_autofree char *supplier = NULL;
  gboolean         done;

  STOCK_ACT_PRECONDITIONS (store, journal, user, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);

  /* Checked before the permission: a supervisor is never asked to approve
   * limits that cannot be stored. */
  if (!check_limits (limits, error))
    return FALSE;
  supplier = strip_or_null (limits->supplier);
  if (!till_store_begin (store, error))
    return FALSE;
  done = set_limits_in_transaction (store, journal, user, product_id, limits, supplier, override,
                                    error);
  return end_transaction (store, done, error);
}

/* --- Adjustments and damage ---------------------------------------------- */

static char *
adjust_in_transaction (TillStore          *store,
                       TillJournal        *journal,
                       TillUser           *user,
                       gint64              product_id,
                       gint64              delta,
                       TillStockReason     reason,
                       const char         *note,
                       const TillOverride *override,
                       GError            **error)
{
  g_auto (ProductInfo) product = { 0 };
  g_autoptr (GString) body = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  const char      *approved_by;
  gint64           now_us = g_get_real_time ();

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_STOCK,
                                         override, &approved_by, error) ||
      !load_product (store, product_id, &product, error) ||
      !insert_move (store, product_id, delta, reason, uuid, till_user_get_code (user), product.cost,
                    now_us, error))
    return NULL;

  body = document_new (uuid, now_us, user, approved_by);
  _till_json_add_string (body, "reason", reason_names[reason]);
  _till_json_add_string (body, "note", note);
  _till_json_add_string (body, "location", "stock");
  _till_json_add_int (body, "product_id", product_id);
  _till_json_add_string (body, "sku", product.sku);
  _till_json_add_string (body, "name", product.name);
  _till_json_add_int (body, "delta", delta);
  _till_json_add_int (body, "unit_cost", product.cost);
  _till_json_add_int (body, "value", till_money_line_amount (product.cost, delta));
  if (!record_act (store, journal, "stock-adjustment", "stock-adjustment", "stock_adjustment", uuid,
                   now_us, body, NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

static gboolean
check_adjustment (gint64 delta, TillStockReason reason, const char *note, GError **error)
{
  if (delta == 0 || delta < -MAX_QUANTITY || delta > MAX_QUANTITY)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("An adjustment must change stock, by at most a million units"));
      return FALSE;
    }
  if (reason == TILL_STOCK_REASON_DAMAGE && delta > 0)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("Damaged goods can only be written off, not added"));
      return FALSE;
    }
  if (reason == TILL_STOCK_REASON_ADJUSTMENT && note == NULL)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("Give a reason for the adjustment"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_stock_adjust:
 * @note: (nullable): why; required for an adjustment, optional for damage
 *
 * The movement carries the product's current cost. Journaled and sent to
 * HQ as "stock-adjustment" (with "reason" "adjustment" or "damage").
 *
 * Returns: (transfer full): the movement's ref uuid, or %NULL with @error set
 */
char *
till_stock_adjust (TillStore          *store,
                   TillJournal        *journal,
                   TillUser           *user,
                   gint64              product_id,
                   gint64              delta,
                   TillStockReason     reason,
                   const char         *note,
                   const TillOverride *override,
                   GError            **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *uuid = NULL;

  STOCK_ACT_PRECONDITIONS (store, journal, user, NULL);
  g_return_val_if_fail (
      reason == TILL_STOCK_REASON_ADJUSTMENT || reason == TILL_STOCK_REASON_DAMAGE, NULL);

  stripped = strip_or_null (note);
  if (!check_adjustment (delta, reason, stripped, error) || !till_store_begin (store, error))
    return NULL;
  uuid = adjust_in_transaction (store, journal, user, product_id, delta, reason, stripped, override,
                                error);
  if (!end_transaction (store, uuid != NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/* --- Purchase orders ------------------------------------------------------- */

/* NULL, or a real day written YYYY-MM-DD. */
static gboolean
check_day (const char *day, GError **error)
{
  int  year, month, mday;
  char rest;

  if (day == NULL ||
      (strlen (day) == 10 && g_ascii_isdigit (day[0]) && day[4] == '-' && day[7] == '-' &&
       sscanf (day, "%4d-%2d-%2d%c", &year, &month, &mday, &rest) == 3 &&
       g_date_valid_dmy ((GDateDay) mday, (GDateMonth) month, (GDateYear) year)))
    return TRUE;
  g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
               _ ("Write the expected day as YYYY-MM-DD"));
  return FALSE;
}

/* A purchase order names each product once, so that receiving finds its
 * line without doubt. */
static gboolean
check_distinct_products (const TillStockLine *lines, guint n_lines, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < n_lines; i++)
    {
      if (!g_hash_table_add (seen, (gpointer) &lines[i].product_id))
        {
          g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                       _ ("A purchase order names each product once"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
insert_order (TillStore  *store,
              const char *uuid,
              gint64      po_no,
              const char *supplier,
              const char *expected_day,
              const char *user_code,
              gint64      now_us,
              gint64      journal_seq,
              GArray     *resolved,
              GError    **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store,
                                                  "INSERT INTO purchase_order (uuid, po_no, "
                                                  "supplier, state, expected_day, created_us, "
                                                  "created_by, journal_seq) "
                                                  "VALUES (?, ?, ?, 'open', ?, ?, ?, ?)",
                                                  error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, po_no);
  sqlite3_bind_text (stmt, 3, supplier != NULL ? supplier : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, expected_day, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, now_us);
  sqlite3_bind_text (stmt, 6, user_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, journal_seq);
  return till_store_step_done (store, stmt, error) &&
         insert_document_lines (store,
                                "INSERT INTO purchase_order_line (po_uuid, line_no, product_id, "
                                "quantity, unit_cost) VALUES (?, ?, ?, ?, ?)",
                                uuid, resolved, error);
}

static char *
create_order_in_transaction (TillStore           *store,
                             TillJournal         *journal,
                             TillUser            *user,
                             const char          *supplier,
                             const char          *expected_day,
                             const TillStockLine *lines,
                             guint                n_lines,
                             const TillOverride  *override,
                             GError             **error)
{
  g_autoptr (GArray) resolved = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  const char      *approved_by;
  gint64           now_us = g_get_real_time ();
  gint64           journal_seq = 0;
  gint64           po_no;

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_STOCK,
                                         override, &approved_by, error))
    return NULL;
  resolved = resolve_lines (store, lines, n_lines, error);
  if (resolved == NULL)
    return NULL;
  po_no = till_store_next_counter (store, "purchase_order", error);
  if (po_no == 0)
    return NULL;

  body = document_new (uuid, now_us, user, approved_by);
  _till_json_add_int (body, "po_no", po_no);
  _till_json_add_string (body, "supplier", supplier != NULL ? supplier : "");
  _till_json_add_string (body, "state", "open");
  _till_json_add_string (body, "expected_day", expected_day);
  _till_json_add_int (body, "total_cost", lines_value (resolved));
  add_lines_json (body, resolved);
  if (!record_act (store, journal, "purchase-order", "purchase-order", "purchase_order", uuid,
                   now_us, body, &journal_seq, error) ||
      !insert_order (store, uuid, po_no, supplier, expected_day, till_user_get_code (user), now_us,
                     journal_seq, resolved, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/**
 * till_stock_create_purchase_order:
 * @supplier: (nullable): who supplies it
 * @expected_day: (nullable): "YYYY-MM-DD"
 *
 * A line's cost of -1 is the product's current cost. Each product may be
 * named once (TILL_STOCK_ERROR_INVALID otherwise).
 *
 * Returns: (transfer full): the order's uuid, or %NULL with @error set
 */
char *
till_stock_create_purchase_order (TillStore           *store,
                                  TillJournal         *journal,
                                  TillUser            *user,
                                  const char          *supplier,
                                  const char          *expected_day,
                                  const TillStockLine *lines,
                                  guint                n_lines,
                                  const TillOverride  *override,
                                  GError             **error)
{
  g_autofree char *stripped_supplier = NULL;
  g_autofree char *stripped_day = NULL;
  g_autofree char *uuid = NULL;

  STOCK_ACT_PRECONDITIONS (store, journal, user, NULL);

  stripped_supplier = strip_or_null (supplier);
  stripped_day = strip_or_null (expected_day);
  if (!check_lines (lines, n_lines, error) || !check_distinct_products (lines, n_lines, error) ||
      !check_day (stripped_day, error) || !till_store_begin (store, error))
    return NULL;
  uuid = create_order_in_transaction (store, journal, user, stripped_supplier, stripped_day, lines,
                                      n_lines, override, error);
  if (!end_transaction (store, uuid != NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

#define ORDER_SELECT                                                                      \
  "SELECT uuid, po_no, supplier, state, expected_day, note, created_us, created_by FROM " \
  "purchase_order "

static gboolean
load_order_lines (TillStore *store, TillPurchaseOrder *order, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store,
                          "SELECT product_id, quantity, unit_cost, received FROM "
                          "purchase_order_line WHERE po_uuid = ? ORDER BY line_no",
                          error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, order->uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillStockLine line = {
        .product_id = sqlite3_column_int64 (stmt, 0),
        .quantity = sqlite3_column_int64 (stmt, 1),
        .unit_cost = sqlite3_column_int64 (stmt, 2),
        .received = sqlite3_column_int64 (stmt, 3),
      };

      g_array_append_val (order->lines, line);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the purchase order"));
      return FALSE;
    }
  return TRUE;
}

static TillPurchaseOrder *
order_from_row (TillStore *store, TillStmt *stmt, GError **error)
{
  g_autoptr (TillPurchaseOrder) order = g_new0 (TillPurchaseOrder, 1);
  const char *state = (const char *) sqlite3_column_text (stmt, 3);

  order->uuid = column_dup (stmt, 0);
  order->po_no = sqlite3_column_int64 (stmt, 1);
  order->supplier = column_dup (stmt, 2);
  /* The CHECK keeps any other state out. */
  order->state = TILL_PURCHASE_ORDER_OPEN;
  for (guint i = 0; i < G_N_ELEMENTS (order_state_names); i++)
    if (g_strcmp0 (state, order_state_names[i]) == 0)
      order->state = (TillPurchaseOrderState) i;
  order->expected_day = column_dup (stmt, 4);
  order->note = column_dup (stmt, 5);
  order->created_us = sqlite3_column_int64 (stmt, 6);
  order->created_by = column_dup (stmt, 7);
  order->lines = g_array_new (FALSE, TRUE, sizeof (TillStockLine));
  if (!load_order_lines (store, order, error))
    return NULL;
  return g_steal_pointer (&order);
}

/**
 * till_stock_load_purchase_order:
 *
 * Returns: (transfer full): the order with its lines, or %NULL with @error
 *   set (TILL_STOCK_ERROR_NOT_FOUND when there is none)
 */
TillPurchaseOrder *
till_stock_load_purchase_order (TillStore *store, const char *uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store, ORDER_SELECT "WHERE uuid = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return order_from_row (store, stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND,
                 _ ("There is no such purchase order"));
  else
    till_store_set_error (store, error, _ ("Cannot read the purchase order"));
  return NULL;
}

/**
 * till_stock_list_purchase_orders:
 * @open_only: only the open and partly received ones
 *
 * Returns: (transfer full) (element-type TillPurchaseOrder): the orders with
 *   their lines, or %NULL with @error set
 */
GPtrArray *
till_stock_list_purchase_orders (TillStore *store, gboolean open_only, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) orders = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             ORDER_SELECT "WHERE ?1 = 0 OR state IN ('open', 'partial') "
                                          "ORDER BY state IN ('open', 'partial') DESC, "
                                          "created_us DESC, po_no DESC",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, open_only ? 1 : 0);
  orders = g_ptr_array_new_with_free_func ((GDestroyNotify) till_purchase_order_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillPurchaseOrder *order = order_from_row (store, stmt, error);

      if (order == NULL)
        return NULL;
      g_ptr_array_add (orders, order);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the purchase orders"));
      return NULL;
    }
  return g_steal_pointer (&orders);
}

static gboolean
set_order_state (TillStore *store, const char *uuid, TillPurchaseOrderState state, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "UPDATE purchase_order SET state = ? WHERE uuid = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, order_state_names[state], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}

static gboolean
check_order_open (TillPurchaseOrder *order, GError **error)
{
  if (order->state == TILL_PURCHASE_ORDER_OPEN || order->state == TILL_PURCHASE_ORDER_PARTIAL)
    return TRUE;
  if (order->state == TILL_PURCHASE_ORDER_RECEIVED)
    g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE,
                 _ ("Purchase order %" PRId64 " has been received in full"), order->po_no);
  else
    g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE,
                 _ ("Purchase order %" PRId64 " was cancelled"), order->po_no);
  return FALSE;
}

static gboolean
cancel_order_in_transaction (TillStore          *store,
                             TillJournal        *journal,
                             TillUser           *user,
                             const char         *po_uuid,
                             const TillOverride *override,
                             GError            **error)
{
  g_autoptr (TillPurchaseOrder) order = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  const char      *approved_by;
  gint64           now_us = g_get_real_time ();

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_STOCK,
                                         override, &approved_by, error))
    return FALSE;
  order = till_stock_load_purchase_order (store, po_uuid, error);
  if (order == NULL || !check_order_open (order, error) ||
      !set_order_state (store, po_uuid, TILL_PURCHASE_ORDER_CANCELLED, error))
    return FALSE;

  /* HQ takes each document uuid once: the cancellation is a document of its
   * own that names the order. */
  body = document_new (uuid, now_us, user, approved_by);
  _till_json_add_string (body, "purchase_order_uuid", order->uuid);
  _till_json_add_int (body, "po_no", order->po_no);
  _till_json_add_string (body, "state", "cancelled");
  return record_act (store, journal, "purchase-order-cancel", "purchase-order", "purchase_order",
                     uuid, now_us, body, NULL, error);
}

/**
 * till_stock_cancel_purchase_order:
 *
 * Cancels an open or partly received order (TILL_STOCK_ERROR_STATE for a
 * received or cancelled one). MANAGE_STOCK. Journaled
 * ("purchase-order-cancel") and sent to HQ as a "purchase-order" document
 * of its own uuid with "purchase_order_uuid" and "state":"cancelled".
 */
gboolean
till_stock_cancel_purchase_order (TillStore          *store,
                                  TillJournal        *journal,
                                  TillUser           *user,
                                  const char         *uuid,
                                  const TillOverride *override,
                                  GError            **error)
{
  gboolean done;

  STOCK_ACT_PRECONDITIONS (store, journal, user, FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  done = cancel_order_in_transaction (store, journal, user, uuid, override, error);
  return end_transaction (store, done, error);
}

/* --- Receiving --------------------------------------------------------------- */

/* The index of @product_id's line in @order, -1 when it is not on it. */
static int
order_line_index (TillPurchaseOrder *order, gint64 product_id)
{
  for (guint i = 0; i < order->lines->len; i++)
    if (g_array_index (order->lines, TillStockLine, i).product_id == product_id)
      return (int) i;
  return -1;
}

static gboolean
store_order_line_received (
    TillStore *store, const char *po_uuid, int index, gint64 received, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store, "UPDATE purchase_order_line SET received = ? WHERE po_uuid = ? AND line_no = ?",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, received);
  sqlite3_bind_text (stmt, 2, po_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, index + 1);
  return till_store_step_done (store, stmt, error);
}

/* Checks that every line is on @order, gives lines without a cost of their
 * own the order's, adds what comes in to the order's received quantities
 * and moves the order to partial or received (in @order and the store). */
static gboolean
receive_against_order (TillStore           *store,
                       TillPurchaseOrder   *order,
                       const TillStockLine *lines,
                       GArray              *resolved,
                       GError             **error)
{
  gboolean complete = TRUE;

  for (guint i = 0; i < resolved->len; i++)
    {
      ResolvedLine  *line = &g_array_index (resolved, ResolvedLine, i);
      int            index = order_line_index (order, line->product.id);
      TillStockLine *order_line;

      if (index < 0)
        {
          g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                       _ ("%1$s is not on purchase order %2$" PRId64), line->product.sku,
                       order->po_no);
          return FALSE;
        }
      order_line = &g_array_index (order->lines, TillStockLine, index);
      if (lines[i].unit_cost < 0)
        line->unit_cost = order_line->unit_cost;
      order_line->received += line->quantity;
      if (!store_order_line_received (store, order->uuid, index, order_line->received, error))
        return FALSE;
    }
  for (guint i = 0; i < order->lines->len; i++)
    {
      const TillStockLine *order_line = &g_array_index (order->lines, TillStockLine, i);

      if (order_line->received < order_line->quantity)
        complete = FALSE;
    }
  order->state = complete ? TILL_PURCHASE_ORDER_RECEIVED : TILL_PURCHASE_ORDER_PARTIAL;
  return set_order_state (store, order->uuid, order->state, error);
}

/* Each line goes into stock at its cost, which becomes the product's cost
 * (the last cost paid). */
static gboolean
receive_lines (TillStore  *store,
               const char *receipt_uuid,
               const char *user_code,
               GArray     *resolved,
               gint64      now_us,
               GError    **error)
{
  for (guint i = 0; i < resolved->len; i++)
    {
      const ResolvedLine *line = &g_array_index (resolved, ResolvedLine, i);
      g_autoptr (TillStmt) stmt = NULL;

      if (!insert_move (store, line->product.id, line->quantity, TILL_STOCK_REASON_RECEIVING,
                        receipt_uuid, user_code, line->unit_cost, now_us, error))
        return FALSE;
      stmt = till_store_prepare (store, "UPDATE product SET cost = ?, updated_us = ? WHERE id = ?",
                                 error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, line->unit_cost);
      sqlite3_bind_int64 (stmt, 2, now_us);
      sqlite3_bind_int64 (stmt, 3, line->product.id);
      if (!till_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
insert_receipt (TillStore  *store,
                const char *uuid,
                gint64      receipt_no,
                const char *po_uuid,
                const char *supplier,
                const char *user_code,
                gint64      total_cost,
                gint64      now_us,
                gint64      journal_seq,
                GArray     *resolved,
                GError    **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store,
      "INSERT INTO goods_receipt (uuid, receipt_no, po_uuid, supplier, user_code, total_cost, "
      "created_us, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, receipt_no);
  sqlite3_bind_text (stmt, 3, po_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, supplier != NULL ? supplier : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, user_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, total_cost);
  sqlite3_bind_int64 (stmt, 7, now_us);
  sqlite3_bind_int64 (stmt, 8, journal_seq);
  return till_store_step_done (store, stmt, error) &&
         insert_document_lines (store,
                                "INSERT INTO goods_receipt_line (receipt_uuid, line_no, "
                                "product_id, quantity, unit_cost) VALUES (?, ?, ?, ?, ?)",
                                uuid, resolved, error);
}

static char *
receive_in_transaction (TillStore           *store,
                        TillJournal         *journal,
                        TillUser            *user,
                        const char          *po_uuid,
                        const char          *supplier,
                        const TillStockLine *lines,
                        guint                n_lines,
                        const TillOverride  *override,
                        GError             **error)
{
  g_autoptr (TillPurchaseOrder) order = NULL;
  g_autoptr (GArray) resolved = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  const char      *approved_by;
  const char      *user_code = till_user_get_code (user);
  gint64           now_us = g_get_real_time ();
  gint64           journal_seq = 0;
  gint64           receipt_no;
  gint64           total_cost;

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_STOCK,
                                         override, &approved_by, error))
    return NULL;
  if (po_uuid != NULL)
    {
      order = till_stock_load_purchase_order (store, po_uuid, error);
      if (order == NULL || !check_order_open (order, error))
        return NULL;
      if (supplier == NULL)
        supplier = order->supplier;
    }
  resolved = resolve_lines (store, lines, n_lines, error);
  if (resolved == NULL ||
      (order != NULL && !receive_against_order (store, order, lines, resolved, error)))
    return NULL;
  receipt_no = till_store_next_counter (store, "goods_receipt", error);
  if (receipt_no == 0 || !receive_lines (store, uuid, user_code, resolved, now_us, error))
    return NULL;
  total_cost = lines_value (resolved);

  body = document_new (uuid, now_us, user, approved_by);
  _till_json_add_int (body, "receipt_no", receipt_no);
  _till_json_add_string (body, "po_uuid", po_uuid);
  if (order != NULL)
    {
      _till_json_add_int (body, "po_no", order->po_no);
      _till_json_add_string (body, "po_state", order_state_names[order->state]);
    }
  _till_json_add_string (body, "supplier", supplier != NULL ? supplier : "");
  _till_json_add_int (body, "total_cost", total_cost);
  add_lines_json (body, resolved);
  if (!record_act (store, journal, "receiving", "goods-receipt", "goods_receipt", uuid, now_us,
                   body, &journal_seq, error) ||
      !insert_receipt (store, uuid, receipt_no, po_uuid, supplier, user_code, total_cost, now_us,
                       journal_seq, resolved, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/**
 * till_stock_receive:
 * @po_uuid: (nullable): the purchase order, NULL for none
 * @supplier: (nullable): the supplier; NULL against an order is the order's
 *
 * A line's cost of -1 is the order line's cost against an order, the
 * product's current cost without one. A product not on the order is
 * TILL_STOCK_ERROR_INVALID, an order received in full or cancelled
 * TILL_STOCK_ERROR_STATE. More than was ordered may come in.
 *
 * Returns: (transfer full): the receipt's uuid, or %NULL with @error set
 */
char *
till_stock_receive (TillStore           *store,
                    TillJournal         *journal,
                    TillUser            *user,
                    const char          *po_uuid,
                    const char          *supplier,
                    const TillStockLine *lines,
                    guint                n_lines,
                    const TillOverride  *override,
                    GError             **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *uuid = NULL;

  STOCK_ACT_PRECONDITIONS (store, journal, user, NULL);

  stripped = strip_or_null (supplier);
  if (!check_lines (lines, n_lines, error) || !till_store_begin (store, error))
    return NULL;
  uuid = receive_in_transaction (store, journal, user, po_uuid, stripped, lines, n_lines, override,
                                 error);
  if (!end_transaction (store, uuid != NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/* --- Stocktake --------------------------------------------------------------- */

/* NOT_FOUND or STATE unless stocktake @uuid is counting; its category (0:
 * every product) in *@out_category_id. */
static gboolean
require_counting (TillStore *store, const char *uuid, gint64 *out_category_id, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store, "SELECT state, coalesce (category_id, 0) FROM stocktake WHERE uuid = ?", error);
  const char *state;
  int         rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND,
                     _ ("There is no such stocktake"));
      else
        till_store_set_error (store, error, _ ("Cannot read the stocktake"));
      return FALSE;
    }
  state = (const char *) sqlite3_column_text (stmt, 0);
  *out_category_id = sqlite3_column_int64 (stmt, 1);
  if (g_strcmp0 (state, "counting") == 0)
    return TRUE;
  g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_STATE, "%s",
               g_strcmp0 (state, "posted") == 0 ? _ ("The stocktake has been posted")
                                                : _ ("The stocktake was cancelled"));
  return FALSE;
}

/**
 * till_stock_get_counting_stocktake:
 *
 * Returns: (transfer full) (nullable): the counting stocktake's uuid, or
 *   %NULL (with @error set only when the store failed)
 */
char *
till_stock_get_counting_stocktake (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store, "SELECT uuid FROM stocktake WHERE state = 'counting'", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return column_dup (stmt, 0);
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, _ ("Cannot read the stocktake"));
  return NULL;
}

static gboolean
check_category (TillStore *store, gint64 category_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  if (category_id == 0)
    return TRUE;
  stmt = till_store_prepare (store, "SELECT 1 FROM category WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, category_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND,
                 _ ("There is no category %" PRId64), category_id);
  else
    till_store_set_error (store, error, _ ("Cannot read the category"));
  return FALSE;
}

static char *
begin_stocktake_in_transaction (
    TillStore *store, TillJournal *journal, TillUser *user, gint64 category_id, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *counting = till_stock_get_counting_stocktake (store, &local_error);
  g_autofree char *uuid = till_uuid_v7_new ();
  gint64           now_us = g_get_real_time ();
  gint64           stocktake_no;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (counting != NULL)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_COUNTING,
                   _ ("A stocktake is already being counted: post or cancel it first"));
      return NULL;
    }
  if (!check_category (store, category_id, error))
    return NULL;
  stocktake_no = till_store_next_counter (store, "stocktake", error);
  if (stocktake_no == 0)
    return NULL;
  stmt = till_store_prepare (store,
                             "INSERT INTO stocktake (uuid, stocktake_no, state, category_id, "
                             "started_us, started_by) VALUES (?, ?, 'counting', ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, stocktake_no);
  if (category_id != 0)
    sqlite3_bind_int64 (stmt, 3, category_id);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, now_us);
  sqlite3_bind_text (stmt, 5, till_user_get_code (user), -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return NULL;

  body = document_new (uuid, now_us, user, NULL);
  _till_json_add_int (body, "stocktake_no", stocktake_no);
  _till_json_add_int (body, "category_id", category_id);
  if (!record_act (store, journal, "stocktake-begin", NULL, NULL, uuid, now_us, body, NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/**
 * till_stock_begin_stocktake:
 * @category_id: the category (with its subcategories), 0 for every product
 *
 * Needs no permission (posting does); TILL_STOCK_ERROR_NOT_FOUND for an
 * unknown category. Journaled ("stocktake-begin"); HQ hears of the
 * stocktake when it is posted.
 *
 * Returns: (transfer full): the stocktake's uuid, or %NULL with @error set
 */
char *
till_stock_begin_stocktake (
    TillStore *store, TillJournal *journal, TillUser *user, gint64 category_id, GError **error)
{
  g_autofree char *uuid = NULL;

  STOCK_ACT_PRECONDITIONS (store, journal, user, NULL);

  if (!till_store_begin (store, error))
    return NULL;
  uuid = begin_stocktake_in_transaction (store, journal, user, category_id, error);
  if (!end_transaction (store, uuid != NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

static gboolean
check_in_scope (TillStore *store, gint64 category_id, gint64 product_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  if (category_id == 0)
    return TRUE;
  stmt = till_store_prepare (store,
                             SCOPE_CTE "SELECT EXISTS (SELECT 1 FROM product WHERE id = ?1 "
                                       "AND category_id IN (SELECT id FROM scope))",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_int64 (stmt, 2, category_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the product's category"));
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) != 0)
    return TRUE;
  g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
               _ ("This product is not in the stocktake's category"));
  return FALSE;
}

static gboolean
count_in_transaction (TillStore  *store,
                      const char *uuid,
                      gint64      product_id,
                      gint64      quantity,
                      gboolean    add,
                      gint64      now_us,
                      GError    **error)
{
  g_auto (ProductInfo) product = { 0 };
  g_autoptr (TillStmt) stmt = NULL;
  gint64 category_id = 0;

  if (!require_counting (store, uuid, &category_id, error) ||
      !load_product (store, product_id, &product, error) ||
      !check_in_scope (store, category_id, product_id, error))
    return FALSE;
  /* Added counts stop at the largest quantity rather than overflow. */
  stmt = till_store_prepare (
      store,
      "INSERT INTO stocktake_count (stocktake_uuid, product_id, counted, counted_us) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (stocktake_uuid, product_id) DO UPDATE "
      "SET counted = CASE WHEN ?5 THEN min (counted + excluded.counted, ?6) "
      "ELSE excluded.counted END, counted_us = excluded.counted_us",
      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, product_id);
  sqlite3_bind_int64 (stmt, 3, quantity);
  sqlite3_bind_int64 (stmt, 4, now_us);
  sqlite3_bind_int (stmt, 5, add ? 1 : 0);
  sqlite3_bind_int64 (stmt, 6, MAX_QUANTITY);
  return till_store_step_done (store, stmt, error);
}

/**
 * till_stock_count:
 * @now_us: when the count was made: the book stock at that moment is what
 *   the count is compared with
 *
 * Adding needs @quantity > 0; setting takes 0 too (none on the shelf).
 * Needs no permission and writes no journal entry: the posting records
 * the counts.
 */
gboolean
till_stock_count (TillStore  *store,
                  const char *stocktake_uuid,
                  gint64      product_id,
                  gint64      quantity,
                  gboolean    add,
                  gint64      now_us,
                  GError    **error)
{
  gboolean done;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (stocktake_uuid != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (add && !check_quantity (quantity, error))
    return FALSE;
  if (!add && (quantity < 0 || quantity > MAX_QUANTITY))
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("A count must be zero or more and at most a million units"));
      return FALSE;
    }
  if (!till_store_begin (store, error))
    return FALSE;
  done = count_in_transaction (store, stocktake_uuid, product_id, quantity, add, now_us, error);
  return end_transaction (store, done, error);
}

/* The product's saleable stock as it stood at @at_us: the sum of its
 * "stock" movements up to then, on stock_move (product_id, created_us). */
static gboolean
stock_at (TillStore *store, gint64 product_id, gint64 at_us, gint64 *out_level, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store,
                          "SELECT coalesce (sum (delta), 0) FROM stock_move WHERE product_id = ? "
                          "AND created_us <= ? AND location = 'stock'",
                          error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  sqlite3_bind_int64 (stmt, 2, at_us);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the stock at the count"));
      return FALSE;
    }
  *out_level = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static TillStocktakeLine *
stocktake_line_from_row (TillStmt *stmt)
{
  TillStocktakeLine *line = g_new0 (TillStocktakeLine, 1);

  line->product_id = sqlite3_column_int64 (stmt, 0);
  line->sku = column_dup (stmt, 1);
  line->name = column_dup (stmt, 2);
  line->unit = column_dup (stmt, 3);
  line->cost = sqlite3_column_int64 (stmt, 4);
  return line;
}

/* Marks an expectation still to be computed while the counts are read. */
#define EXPECTED_UNKNOWN G_MININT64

/* The counted lines, by SKU: the expectation stored at posting, else the
 * stock at the count. */
static gboolean
load_counted_lines (TillStore *store, TillStocktake *stocktake, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store,
                          "SELECT p.id, p.sku, p.name, p.unit, p.cost, c.counted, c.counted_us, "
                          "c.expected FROM stocktake_count c JOIN product p ON p.id = c.product_id "
                          "WHERE c.stocktake_uuid = ? ORDER BY p.sku",
                          error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, stocktake->uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillStocktakeLine *line = stocktake_line_from_row (stmt);

      line->counted = sqlite3_column_int64 (stmt, 5);
      line->counted_us = sqlite3_column_int64 (stmt, 6);
      line->expected = column_int_or (stmt, 7, EXPECTED_UNKNOWN);
      g_ptr_array_add (stocktake->lines, line);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the stocktake's counts"));
      return FALSE;
    }
  g_clear_pointer (&stmt, till_stmt_release);

  stocktake->n_counted = stocktake->lines->len;
  for (guint i = 0; i < stocktake->n_counted; i++)
    {
      TillStocktakeLine *line = g_ptr_array_index (stocktake->lines, i);

      if (line->expected == EXPECTED_UNKNOWN &&
          !stock_at (store, line->product_id, line->counted_us, &line->expected, error))
        return FALSE;
      line->variance = line->counted - line->expected;
      stocktake->variance_value += till_money_line_amount (line->cost, line->variance);
    }
  return TRUE;
}

/* The active products in scope nobody counted, by SKU, at their stock now. */
static gboolean
load_uncounted_lines (TillStore *store, TillStocktake *stocktake, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store,
      SCOPE_CTE "SELECT p.id, p.sku, p.name, p.unit, p.cost, coalesce (st.quantity, 0) "
                "FROM product p LEFT JOIN stock_level st ON st.product_id = p.id "
                "AND st.location = 'stock' WHERE p.active "
                "AND (?2 = 0 OR p.category_id IN (SELECT id FROM scope)) "
                "AND NOT EXISTS (SELECT 1 FROM stocktake_count c WHERE c.stocktake_uuid = ?1 "
                "AND c.product_id = p.id) ORDER BY p.sku",
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, stocktake->uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, stocktake->category_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillStocktakeLine *line = stocktake_line_from_row (stmt);

      line->counted = -1;
      line->expected = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (stocktake->lines, line);
      stocktake->n_uncounted++;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the stocktake's products"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_stock_load_stocktake:
 *
 * Returns: (transfer full): the stocktake and its variance report, or
 *   %NULL with @error set (TILL_STOCK_ERROR_NOT_FOUND when there is none)
 */
TillStocktake *
till_stock_load_stocktake (TillStore *store, const char *uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStocktake) stocktake = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT stocktake_no, state, coalesce (category_id, 0), started_us, "
                             "started_by, coalesce (posted_us, 0) FROM stocktake WHERE uuid = ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_NOT_FOUND,
                     _ ("There is no such stocktake"));
      else
        till_store_set_error (store, error, _ ("Cannot read the stocktake"));
      return NULL;
    }
  stocktake = g_new0 (TillStocktake, 1);
  stocktake->uuid = g_strdup (uuid);
  stocktake->stocktake_no = sqlite3_column_int64 (stmt, 0);
  stocktake->posted = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "posted") == 0;
  stocktake->category_id = sqlite3_column_int64 (stmt, 2);
  stocktake->started_us = sqlite3_column_int64 (stmt, 3);
  stocktake->started_by = column_dup (stmt, 4);
  stocktake->posted_us = sqlite3_column_int64 (stmt, 5);
  stocktake->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) till_stocktake_line_free);
  g_clear_pointer (&stmt, till_stmt_release);
  if (!load_counted_lines (store, stocktake, error) ||
      !load_uncounted_lines (store, stocktake, error))
    return NULL;
  return g_steal_pointer (&stocktake);
}

/* Stores each counted line's expectation and moves its variance. */
static gboolean
post_counts (TillStore     *store,
             TillStocktake *stocktake,
             const char    *user_code,
             gint64         now_us,
             GError       **error)
{
  for (guint i = 0; i < stocktake->n_counted; i++)
    {
      const TillStocktakeLine *line = g_ptr_array_index (stocktake->lines, i);
      g_autoptr (TillStmt) stmt = till_store_prepare (
          store,
          "UPDATE stocktake_count SET expected = ? WHERE stocktake_uuid = ? AND product_id = ?",
          error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, line->expected);
      sqlite3_bind_text (stmt, 2, stocktake->uuid, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, line->product_id);
      if (!till_store_step_done (store, stmt, error))
        return FALSE;
      if (line->variance != 0 &&
          !insert_move (store, line->product_id, line->variance, TILL_STOCK_REASON_STOCKTAKE,
                        stocktake->uuid, user_code, line->cost, now_us, error))
        return FALSE;
    }
  return TRUE;
}

static GString *
stocktake_document (TillStocktake *stocktake, TillUser *user, const char *approved_by)
{
  GString *body = document_new (stocktake->uuid, stocktake->posted_us, user, approved_by);

  _till_json_add_int (body, "stocktake_no", stocktake->stocktake_no);
  _till_json_add_int (body, "category_id", stocktake->category_id);
  _till_json_add_int (body, "started_us", stocktake->started_us);
  _till_json_add_string (body, "started_by", stocktake->started_by);
  _till_json_add_int (body, "n_counted", stocktake->n_counted);
  _till_json_add_int (body, "n_uncounted", stocktake->n_uncounted);
  _till_json_add_int (body, "variance_value", stocktake->variance_value);
  json_open (body, "lines", '[');
  for (guint i = 0; i < stocktake->n_counted; i++)
    {
      const TillStocktakeLine *line = g_ptr_array_index (stocktake->lines, i);

      json_open (body, NULL, '{');
      _till_json_add_int (body, "product_id", line->product_id);
      _till_json_add_string (body, "sku", line->sku);
      _till_json_add_string (body, "name", line->name);
      _till_json_add_int (body, "counted", line->counted);
      _till_json_add_int (body, "counted_us", line->counted_us);
      _till_json_add_int (body, "expected", line->expected);
      _till_json_add_int (body, "variance", line->variance);
      _till_json_add_int (body, "unit_cost", line->cost);
      g_string_append_c (body, '}');
    }
  g_string_append_c (body, ']');
  return body;
}

static gboolean
post_stocktake_in_transaction (TillStore          *store,
                               TillJournal        *journal,
                               TillUser           *user,
                               const char         *uuid,
                               const TillOverride *override,
                               GError            **error)
{
  g_autoptr (TillStocktake) stocktake = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) body = NULL;
  const char *approved_by;
  const char *user_code = till_user_get_code (user);
  gint64      category_id = 0;
  gint64      journal_seq = 0;

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_STOCKTAKE, override,
                                         &approved_by, error) ||
      !require_counting (store, uuid, &category_id, error))
    return FALSE;
  stocktake = till_stock_load_stocktake (store, uuid, error);
  if (stocktake == NULL)
    return FALSE;
  stocktake->posted = TRUE;
  stocktake->posted_us = g_get_real_time ();
  if (!post_counts (store, stocktake, user_code, stocktake->posted_us, error))
    return FALSE;
  body = stocktake_document (stocktake, user, approved_by);
  if (!record_act (store, journal, "stocktake", "stocktake", "stocktake", uuid,
                   stocktake->posted_us, body, &journal_seq, error))
    return FALSE;

  stmt = till_store_prepare (store,
                             "UPDATE stocktake SET state = 'posted', posted_us = ?, posted_by = ?, "
                             "journal_seq = ? WHERE uuid = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stocktake->posted_us);
  sqlite3_bind_text (stmt, 2, user_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, journal_seq);
  sqlite3_bind_text (stmt, 4, uuid, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}

/**
 * till_stock_post_stocktake:
 *
 * STOCKTAKE. Journaled ("stocktake") and sent to HQ ("stocktake", with the
 * counted lines).
 */
gboolean
till_stock_post_stocktake (TillStore          *store,
                           TillJournal        *journal,
                           TillUser           *user,
                           const char         *uuid,
                           const TillOverride *override,
                           GError            **error)
{
  gboolean done;

  STOCK_ACT_PRECONDITIONS (store, journal, user, FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  done = post_stocktake_in_transaction (store, journal, user, uuid, override, error);
  return end_transaction (store, done, error);
}

static gboolean
cancel_stocktake_in_transaction (
    TillStore *store, TillJournal *journal, TillUser *user, const char *uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) body = NULL;
  gint64 now_us = g_get_real_time ();
  gint64 category_id = 0;

  if (!require_counting (store, uuid, &category_id, error))
    return FALSE;
  stmt =
      till_store_prepare (store, "UPDATE stocktake SET state = 'cancelled' WHERE uuid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return FALSE;
  body = document_new (uuid, now_us, user, NULL);
  return record_act (store, journal, "stocktake-cancel", NULL, NULL, uuid, now_us, body, NULL,
                     error);
}

/**
 * till_stock_cancel_stocktake:
 *
 * Drops a counting stocktake: its counts move nothing. Needs no permission,
 * since no stock changes. Journaled ("stocktake-cancel").
 */
gboolean
till_stock_cancel_stocktake (
    TillStore *store, TillJournal *journal, TillUser *user, const char *uuid, GError **error)
{
  gboolean done;

  STOCK_ACT_PRECONDITIONS (store, journal, user, FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  if (!till_store_begin (store, error))
    return FALSE;
  done = cancel_stocktake_in_transaction (store, journal, user, uuid, error);
  return end_transaction (store, done, error);
}

/* --- Transfers -------------------------------------------------------------- */

static gboolean
insert_transfer (TillStore            *store,
                 const char           *uuid,
                 gint64                transfer_no,
                 TillTransferDirection direction,
                 const char           *other_store,
                 const char           *reference,
                 const char           *user_code,
                 gint64                now_us,
                 gint64                journal_seq,
                 GArray               *resolved,
                 GError              **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (
      store,
      "INSERT INTO stock_transfer (uuid, transfer_no, direction, other_store, reference, "
      "user_code, created_us, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, transfer_no);
  sqlite3_bind_text (stmt, 3, direction == TILL_TRANSFER_OUT ? "out" : "in", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, other_store, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, reference, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, user_code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, now_us);
  sqlite3_bind_int64 (stmt, 8, journal_seq);
  return till_store_step_done (store, stmt, error) &&
         insert_document_lines (store,
                                "INSERT INTO stock_transfer_line (transfer_uuid, line_no, "
                                "product_id, quantity, unit_cost) VALUES (?, ?, ?, ?, ?)",
                                uuid, resolved, error);
}

static char *
transfer_in_transaction (TillStore            *store,
                         TillJournal          *journal,
                         TillUser             *user,
                         TillTransferDirection direction,
                         const char           *other_store,
                         const char           *reference,
                         const TillStockLine  *lines,
                         guint                 n_lines,
                         const TillOverride   *override,
                         GError              **error)
{
  g_autoptr (GArray) resolved = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *uuid = till_uuid_v7_new ();
  const char      *approved_by;
  const char      *user_code = till_user_get_code (user);
  gboolean         out = direction == TILL_TRANSFER_OUT;
  gint64           now_us = g_get_real_time ();
  gint64           journal_seq = 0;
  gint64           transfer_no;

  if (!till_permission_check_user_first (store, journal, user, TILL_PERMISSION_MANAGE_STOCK,
                                         override, &approved_by, error))
    return NULL;
  resolved = resolve_lines (store, lines, n_lines, error);
  if (resolved == NULL)
    return NULL;
  transfer_no = till_store_next_counter (store, "stock_transfer", error);
  if (transfer_no == 0)
    return NULL;
  for (guint i = 0; i < resolved->len; i++)
    {
      const ResolvedLine *line = &g_array_index (resolved, ResolvedLine, i);

      if (!insert_move (store, line->product.id, out ? -line->quantity : line->quantity,
                        out ? TILL_STOCK_REASON_TRANSFER_OUT : TILL_STOCK_REASON_TRANSFER_IN, uuid,
                        user_code, line->unit_cost, now_us, error))
        return NULL;
    }

  body = document_new (uuid, now_us, user, approved_by);
  _till_json_add_int (body, "transfer_no", transfer_no);
  _till_json_add_string (body, "direction", out ? "out" : "in");
  _till_json_add_string (body, "other_store", other_store);
  _till_json_add_string (body, "reference", reference);
  _till_json_add_int (body, "total_cost", lines_value (resolved));
  add_lines_json (body, resolved);
  if (!record_act (store, journal, "stock-transfer", "stock-transfer", "stock_transfer", uuid,
                   now_us, body, &journal_seq, error) ||
      !insert_transfer (store, uuid, transfer_no, direction, other_store, reference, user_code,
                        now_us, journal_seq, resolved, error))
    return NULL;
  return g_steal_pointer (&uuid);
}

/**
 * till_stock_transfer:
 * @other_store: the other store's code or name; required
 * @reference: (nullable): for a transfer in, the sending store's transfer
 *   number
 *
 * A line's cost of -1 is the product's current cost; a transfer in does
 * not change the product's cost. Journaled ("stock-transfer") and sent to
 * HQ as a "stock-transfer" document.
 *
 * Returns: (transfer full): the transfer's uuid, or %NULL with @error set
 */
char *
till_stock_transfer (TillStore            *store,
                     TillJournal          *journal,
                     TillUser             *user,
                     TillTransferDirection direction,
                     const char           *other_store,
                     const char           *reference,
                     const TillStockLine  *lines,
                     guint                 n_lines,
                     const TillOverride   *override,
                     GError              **error)
{
  g_autofree char *stripped_store = NULL;
  g_autofree char *stripped_reference = NULL;
  g_autofree char *uuid = NULL;

  STOCK_ACT_PRECONDITIONS (store, journal, user, NULL);
  g_return_val_if_fail (direction == TILL_TRANSFER_OUT || direction == TILL_TRANSFER_IN, NULL);

  stripped_store = strip_or_null (other_store);
  stripped_reference = strip_or_null (reference);
  if (stripped_store == NULL)
    {
      g_set_error (error, TILL_STOCK_ERROR, TILL_STOCK_ERROR_INVALID,
                   _ ("Name the other store of the transfer"));
      return NULL;
    }
  if (!check_lines (lines, n_lines, error) || !till_store_begin (store, error))
    return NULL;
  uuid = transfer_in_transaction (store, journal, user, direction, stripped_store,
                                  stripped_reference, lines, n_lines, override, error);
  if (!end_transaction (store, uuid != NULL, error))
    return NULL;
  return g_steal_pointer (&uuid);
}
