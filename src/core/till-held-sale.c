/* till-held-sale.c: sales suspended at this till, to be resumed later
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-held-sale"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-cart.h"
#include "till-catalog.h"
#include "till-held-sale.h"
#include "till-journal.h"
#include "till-permission.h"
#include "till-store.h"
#include "till-user.h"

G_DEFINE_QUARK (till_held_sale_error_quark, till_held_sale_error)

static gboolean
storage_failed (TillStore *store, GError **error)
{
  till_store_rollback (store);
  g_prefix_error (error, _ ("Nothing was changed: "));
  return FALSE;
}

static gboolean
journal_act (
    TillJournal *journal, const char *kind, const char *sale_uuid, GString *body, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_string_append_c (body, '}');
  bytes = g_string_free_to_bytes (body);
  return till_journal_append (journal, kind, sale_uuid, g_get_real_time (), bytes, NULL, NULL,
                              error);
}

static gint64
insert_held (TillCart *cart, TillUser *user, gint64 held_us, GError **error)
{
  TillStore       *store = till_cart_get_store (cart);
  g_autofree char *business_day = till_store_business_day (store, held_us);
  g_autofree char *coupons = g_strjoinv (" ", (GStrv) till_cart_get_coupons (cart));
  g_autoptr (TillStmt) stmt = NULL;
  gint64 held_id;
  int    line_no = 0;

  stmt = till_store_prepare (store,
                             "INSERT INTO held_sale (sale_uuid, started_us, held_us, business_day, "
                             "cashier_id, cashier_code, cashier_name, item_count, subtotal, total, "
                             "sale_discount_bp, sale_discount_amount, coupons, member_id) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, till_cart_get_sale_uuid (cart), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, _till_cart_get_started_us (cart));
  sqlite3_bind_int64 (stmt, 3, held_us);
  sqlite3_bind_text (stmt, 4, business_day, -1, SQLITE_STATIC);
  if (till_user_get_id (user) > 0)
    sqlite3_bind_int64 (stmt, 5, till_user_get_id (user));
  else
    sqlite3_bind_null (stmt, 5);
  sqlite3_bind_text (stmt, 6, till_user_get_code (user), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, till_user_get_name (user), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, till_cart_get_item_count (cart));
  sqlite3_bind_int64 (stmt, 9, till_cart_get_subtotal (cart));
  sqlite3_bind_int64 (stmt, 10, till_cart_get_total (cart));
  sqlite3_bind_int (stmt, 11, till_cart_get_sale_discount_bp (cart));
  sqlite3_bind_int64 (stmt, 12, till_cart_get_sale_discount_amount (cart));
  sqlite3_bind_text (stmt, 13, coupons, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 14, till_cart_get_member_id (cart), -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return 0;
  held_id = sqlite3_last_insert_rowid (till_store_get_db (store));

  for (guint i = 0; i < till_cart_get_n_lines (cart); i++)
    {
      TillCartLine *line = till_cart_get_line (cart, i);
      g_autoptr (TillStmt) line_stmt = NULL;

      /* Gifts come back by themselves when the sale is resumed and priced. */
      if (till_cart_line_get_gift_code (line) != NULL)
        continue;
      line_stmt = till_store_prepare (store,
                                      "INSERT INTO held_sale_line (held_id, line_no, product_id, "
                                      "quantity, unit_price, original_price, discount_bp) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                      error);
      if (line_stmt == NULL)
        return 0;
      sqlite3_bind_int64 (line_stmt, 1, held_id);
      sqlite3_bind_int (line_stmt, 2, ++line_no);
      sqlite3_bind_int64 (line_stmt, 3, till_product_get_id (till_cart_line_get_product (line)));
      sqlite3_bind_int64 (line_stmt, 4, till_cart_line_get_quantity (line));
      sqlite3_bind_int64 (line_stmt, 5, till_cart_line_get_unit_price (line));
      sqlite3_bind_int64 (line_stmt, 6, till_cart_line_get_original_price (line));
      sqlite3_bind_int (line_stmt, 7, till_cart_line_get_discount_bp (line));
      if (!till_store_step_done (store, line_stmt, error))
        return 0;
    }
  return held_id;
}

void
till_held_sale_free (TillHeldSale *held)
{
  if (held == NULL)
    return;
  g_free (held->sale_uuid);
  g_free (held->business_day);
  g_free (held->cashier_code);
  g_free (held->cashier_name);
  g_free (held);
}

/**
 * till_held_sale_suspend:
 * @cart: a cart with lines
 * @journal: the till's journal, on the cart's store
 * @user: who suspends
 * @override: (nullable): a supervisor's approval
 *
 * Returns: the held sale's id, or 0 with @error set (nothing changed)
 */
gint64
till_held_sale_suspend (TillCart           *cart,
                        TillJournal        *journal,
                        TillUser           *user,
                        const TillOverride *override,
                        GError            **error)
{
  TillStore *store;
  GString   *body;
  gint64     held_id;
  gint64     held_us = g_get_real_time ();

  g_return_val_if_fail (TILL_IS_CART (cart), 0);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), 0);
  g_return_val_if_fail (TILL_IS_USER (user), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);
  store = till_cart_get_store (cart);
  g_return_val_if_fail (till_journal_get_store (journal) == store, 0);
  g_return_val_if_fail (!till_store_in_transaction (store), 0);

  if (till_cart_get_n_lines (cart) == 0)
    {
      g_set_error (error, TILL_HELD_SALE_ERROR, TILL_HELD_SALE_ERROR_EMPTY,
                   _ ("There is no sale to suspend"));
      return 0;
    }
  if (!_till_cart_check_no_captured (cart, error))
    return 0;
  if (!till_store_begin (store, error))
    return 0;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_SUSPEND_SALE, 0, override,
                              error))
    {
      till_store_rollback (store);
      return 0;
    }
  held_id = insert_held (cart, user, held_us, error);
  if (held_id == 0)
    return storage_failed (store, error);

  body = g_string_new ("{");
  _till_json_add_string (body, "sale_uuid", till_cart_get_sale_uuid (cart));
  _till_json_add_int (body, "held_id", held_id);
  _till_json_add_user (body, user);
  _till_cart_append_lines_json (cart, body);
  _till_json_add_int (body, "sale_discount_bp", till_cart_get_sale_discount_bp (cart));
  _till_json_add_int (body, "sale_discount_amount", till_cart_get_sale_discount_amount (cart));
  if (till_cart_get_coupons (cart)[0] != NULL)
    {
      g_autofree char *coupons = g_strjoinv (" ", (GStrv) till_cart_get_coupons (cart));

      _till_json_add_string (body, "coupons", coupons);
    }
  if (till_cart_get_member_id (cart) != NULL)
    _till_json_add_string (body, "member_id", till_cart_get_member_id (cart));
  _till_json_add_int (body, "subtotal", till_cart_get_subtotal (cart));
  _till_json_add_int (body, "total", till_cart_get_total (cart));
  if (!journal_act (journal, "suspend-sale", till_cart_get_sale_uuid (cart), body, error) ||
      !_till_cart_delete_journal (cart, error) || !till_store_commit (store, error))
    return storage_failed (store, error);

  _till_cart_reset (cart);
  return held_id;
}

/**
 * till_held_sale_list:
 *
 * Returns: (transfer full) (element-type TillHeldSale): the held sales, oldest
 *   first, each flagged stale when held on an earlier business day; %NULL with
 *   @error set on a read failure
 */
GPtrArray *
till_held_sale_list (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) held_sales = NULL;
  g_autofree char *today = till_store_business_day (store, g_get_real_time ());
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT h.id, h.sale_uuid, h.held_us, h.business_day, h.cashier_code, "
                             "h.cashier_name, h.item_count, h.total, "
                             "(SELECT count(*) FROM held_sale_line l WHERE l.held_id = h.id) "
                             "FROM held_sale h ORDER BY h.held_us, h.id",
                             error);
  if (stmt == NULL)
    return NULL;
  held_sales = g_ptr_array_new_with_free_func ((GDestroyNotify) till_held_sale_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillHeldSale *held = g_new0 (TillHeldSale, 1);

      held->id = sqlite3_column_int64 (stmt, 0);
      held->sale_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      held->held_us = sqlite3_column_int64 (stmt, 2);
      held->business_day = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      held->cashier_code = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      held->cashier_name = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      held->item_count = sqlite3_column_int64 (stmt, 6);
      held->total = sqlite3_column_int64 (stmt, 7);
      held->n_lines = (guint) sqlite3_column_int (stmt, 8);
      /* ISO dates compare as text. */
      held->stale = g_strcmp0 (held->business_day, today) < 0;
      g_ptr_array_add (held_sales, held);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the held sales"));
      return NULL;
    }
  return g_steal_pointer (&held_sales);
}

/* Reads held sale @held_id as cart lines, inside the resume's transaction. */
static gboolean
read_held (TillCart   *cart,
           gint64      held_id,
           char      **out_sale_uuid,
           gint64     *out_started_us,
           int        *out_bp,
           gint64     *out_amount,
           GStrv      *out_coupons,
           char      **out_member_id,
           GPtrArray **out_lines,
           GError    **error)
{
  TillStore *store = till_cart_get_store (cart);
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (TillStmt) line_stmt = NULL;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT sale_uuid, started_us, sale_discount_bp, "
                             "sale_discount_amount, coupons, member_id FROM held_sale WHERE id = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, held_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, TILL_HELD_SALE_ERROR, TILL_HELD_SALE_ERROR_NOT_FOUND,
                   _ ("That held sale is no longer there; it may have been resumed already"));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the held sale"));
      return FALSE;
    }
  *out_sale_uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *out_started_us = sqlite3_column_int64 (stmt, 1);
  *out_bp = CLAMP (sqlite3_column_int (stmt, 2), 0, 10000);
  *out_amount = MAX (sqlite3_column_int64 (stmt, 3), 0);
  *out_coupons = g_strsplit_set ((const char *) sqlite3_column_text (stmt, 4), " ", -1);
  *out_member_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));

  line_stmt = till_store_prepare (store,
                                  "SELECT product_id, quantity, unit_price, original_price, "
                                  "discount_bp FROM held_sale_line WHERE held_id = ? "
                                  "ORDER BY line_no",
                                  error);
  if (line_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (line_stmt, 1, held_id);
  while ((rc = sqlite3_step (line_stmt)) == SQLITE_ROW)
    {
      g_autoptr (TillProduct) product = NULL;

      /* By id, active or not: the goods were on sale when they were rung up. */
      product = till_catalog_lookup_id (till_cart_get_catalog (cart),
                                        sqlite3_column_int64 (line_stmt, 0), error);
      if (product == NULL)
        return FALSE;
      g_ptr_array_add (
          lines, till_cart_line_new_full (product, sqlite3_column_int64 (line_stmt, 1),
                                          sqlite3_column_int64 (line_stmt, 2),
                                          sqlite3_column_int64 (line_stmt, 3),
                                          CLAMP (sqlite3_column_int (line_stmt, 4), 0, 10000)));
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the held sale"));
      return FALSE;
    }
  *out_lines = g_steal_pointer (&lines);
  return TRUE;
}

/* Journals the held sale's coupons for the cart that takes it up, inside
 * the resume's transaction (after _till_cart_write_journal()). */
static gboolean
write_coupons (TillStore *store, GStrv coupons, GError **error)
{
  for (guint i = 0; coupons != NULL && coupons[i] != NULL; i++)
    {
      g_autoptr (TillStmt) stmt = NULL;

      if (*coupons[i] == '\0')
        continue;
      stmt = till_store_prepare (store,
                                 "INSERT OR IGNORE INTO cart_coupon (code, added_us) "
                                 "VALUES (?, ?)",
                                 error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, coupons[i], -1, SQLITE_STATIC);
      /* Their order is kept by when they were added. */
      sqlite3_bind_int64 (stmt, 2, g_get_real_time () + i);
      if (!till_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Names the held sale's member in the journaled cart, inside the resume's
 * transaction (after _till_cart_write_journal()): till_cart_restore()
 * attaches them again. */
static gboolean
write_member (TillStore *store, const char *member_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  if (member_id == NULL)
    return TRUE;
  stmt = till_store_prepare (store, "UPDATE cart SET member_id = ? WHERE id = 1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}

static gboolean
delete_held (TillStore *store, gint64 held_id, GError **error)
{
  g_autoptr (TillStmt) delete_lines = NULL;
  g_autoptr (TillStmt) delete_sale = NULL;

  delete_lines = till_store_prepare (store, "DELETE FROM held_sale_line WHERE held_id = ?", error);
  if (delete_lines == NULL)
    return FALSE;
  sqlite3_bind_int64 (delete_lines, 1, held_id);
  if (!till_store_step_done (store, delete_lines, error))
    return FALSE;
  delete_sale = till_store_prepare (store, "DELETE FROM held_sale WHERE id = ?", error);
  if (delete_sale == NULL)
    return FALSE;
  sqlite3_bind_int64 (delete_sale, 1, held_id);
  return till_store_step_done (store, delete_sale, error);
}

/**
 * till_held_sale_resume:
 * @cart: an empty cart
 * @held_id: from till_held_sale_list()
 * @override: (nullable): a supervisor's approval
 */
gboolean
till_held_sale_resume (TillCart           *cart,
                       TillJournal        *journal,
                       TillUser           *user,
                       gint64              held_id,
                       const TillOverride *override,
                       GError            **error)
{
  TillStore       *store;
  g_autofree char *sale_uuid = NULL;
  g_autofree char *member_id = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_auto (GStrv) coupons = NULL;
  gint64   started_us = 0;
  int      discount_bp = 0;
  gint64   discount_amount = 0;
  GString *body;

  g_return_val_if_fail (TILL_IS_CART (cart), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  store = till_cart_get_store (cart);
  g_return_val_if_fail (till_journal_get_store (journal) == store, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);

  if (till_cart_get_n_lines (cart) > 0)
    {
      g_set_error (error, TILL_HELD_SALE_ERROR, TILL_HELD_SALE_ERROR_NOT_EMPTY,
                   _ ("Finish, suspend or void the sale in progress before resuming a held one"));
      return FALSE;
    }
  if (!till_store_begin (store, error))
    return FALSE;
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_SUSPEND_SALE, 0, override,
                              error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  if (!read_held (cart, held_id, &sale_uuid, &started_us, &discount_bp, &discount_amount, &coupons,
                  &member_id, &lines, error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  if (!_till_cart_write_journal (cart, sale_uuid, started_us, lines, discount_bp, discount_amount,
                                 error) ||
      !write_coupons (store, coupons, error) || !write_member (store, member_id, error) ||
      !delete_held (store, held_id, error))
    return storage_failed (store, error);

  body = g_string_new ("{");
  _till_json_add_string (body, "sale_uuid", sale_uuid);
  _till_json_add_int (body, "held_id", held_id);
  _till_json_add_user (body, user);
  _till_json_add_int (body, "n_lines", lines->len);
  if (member_id != NULL)
    _till_json_add_string (body, "member_id", member_id);
  if (!journal_act (journal, "resume-sale", sale_uuid, body, error) ||
      !till_store_commit (store, error))
    return storage_failed (store, error);

  /* The journaled cart now is the held sale: bring it into memory. */
  return till_cart_restore (cart, error);
}
