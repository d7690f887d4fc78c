/* till-cart.c: the sale being built, journaled to the store on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-cart"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-cart.h"
#include "till-catalog.h"
#include "till-label-barcode.h"
#include "till-store.h"
#include "till-uuid.h"

/* What one sale may hold. Beyond these a keying mistake (a barcode typed into the
 * quantity field, a weight in the wrong unit) is far more likely than a real sale,
 * and the sums stay far from any integer overflow. */
#define MAX_PIECES (99999 * TILL_QUANTITY_ONE) /* 99,999 pieces on one line */
#define MAX_GRAMS (200 * TILL_QUANTITY_ONE)    /* 200 kg on one weighed line */
#define MAX_LINES 999
#define MAX_SUBTOTAL G_GINT64_CONSTANT (100000000) /* ¥1,000,000.00, exclusive */

struct _TillCart
{
  GObject parent_instance;

  TillStore   *store;
  TillCatalog *catalog;

  /* The lines in order, and beside each the key of its cart_line row. Keys only
   * grow, so removing a line never renumbers the rows after it. */
  GPtrArray *lines;
  GArray    *line_keys;
  gint64     next_key;

  char  *sale_uuid;
  gint64 started_us;
  /* Whether the cart row for sale_uuid is in the store. A fresh cart writes it
   * with its first line, so an empty cart costs no write. */
  gboolean journaled;

  /* The scale label templates, parsed from the store setting the last time it
   * read as this text (NULL: the defaults). */
  char      *label_templates_text;
  GPtrArray *label_templates;

  TillRounding rounding_rule;
  gint64       subtotal;
  gint64       rounding;
  gint64       total;
  gint64       item_count;
  guint        n_lines;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillCart,
                               till_cart,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_QUARK (till_cart_error_quark, till_cart_error)

enum
{
  PROP_0,
  PROP_SALE_UUID,
  PROP_SUBTOTAL,
  PROP_ROUNDING,
  PROP_TOTAL,
  PROP_ITEM_COUNT,
  PROP_N_LINES,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static GType
till_cart_get_item_type (GListModel *model)
{
  return TILL_TYPE_CART_LINE;
}

static guint
till_cart_get_n_items (GListModel *model)
{
  return TILL_CART (model)->lines->len;
}

static gpointer
till_cart_get_item (GListModel *model, guint position)
{
  TillCart *self = TILL_CART (model);

  if (position >= self->lines->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->lines, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = till_cart_get_item_type;
  iface->get_n_items = till_cart_get_n_items;
  iface->get_item = till_cart_get_item;
}

static TillCartLine *
line_at (TillCart *self, guint position)
{
  return g_ptr_array_index (self->lines, position);
}

static gint64
key_at (TillCart *self, guint position)
{
  return g_array_index (self->line_keys, gint64, position);
}

/* Recomputes the totals from the lines and notifies what changed. */
static void
update_totals (TillCart *self)
{
  gint64 subtotal = 0;
  gint64 item_count = 0;
  gint64 total;

  for (guint i = 0; i < self->lines->len; i++)
    {
      TillCartLine *line = line_at (self, i);

      subtotal += till_cart_line_get_amount (line);
      if (till_product_get_weighed (till_cart_line_get_product (line)))
        item_count += 1;
      else
        item_count += till_cart_line_get_quantity (line) / TILL_QUANTITY_ONE;
    }
  total = till_money_apply_rounding (subtotal, self->rounding_rule);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->subtotal != subtotal)
    {
      self->subtotal = subtotal;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTOTAL]);
    }
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->rounding != total - subtotal)
    {
      self->rounding = total - subtotal;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROUNDING]);
    }
  if (self->item_count != item_count)
    {
      self->item_count = item_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM_COUNT]);
    }
  if (self->n_lines != self->lines->len)
    {
      self->n_lines = self->lines->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_sale_uuid (TillCart *self, char *sale_uuid)
{
  g_free (self->sale_uuid);
  self->sale_uuid = sale_uuid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SALE_UUID]);
}

/* Empties the cart in memory and starts a new sale (not yet journaled). */
static void
start_new_sale (TillCart *self)
{
  guint n_removed = self->lines->len;

  g_ptr_array_set_size (self->lines, 0);
  g_array_set_size (self->line_keys, 0);
  self->next_key = 1;
  self->journaled = FALSE;
  self->started_us = g_get_real_time ();

  g_object_freeze_notify (G_OBJECT (self));
  set_sale_uuid (self, till_uuid_v7_new ());
  if (n_removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n_removed, 0);
  update_totals (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
check_quantity (TillProduct *product, gint64 quantity, GError **error)
{
  if (quantity <= 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("The quantity must be more than zero"));
      return FALSE;
    }
  if (till_product_get_weighed (product))
    {
      if (quantity > MAX_GRAMS)
        {
          g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                       _ ("%s: a weight of more than %d kg cannot be right"),
                       till_product_get_name (product), MAX_GRAMS / TILL_QUANTITY_ONE);
          return FALSE;
        }
      return TRUE;
    }
  if (quantity % TILL_QUANTITY_ONE != 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s is sold by the piece: the quantity must be a whole number"),
                   till_product_get_name (product));
      return FALSE;
    }
  if (quantity > MAX_PIECES)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s: more than %d pieces on one line cannot be right"),
                   till_product_get_name (product), MAX_PIECES / TILL_QUANTITY_ONE);
      return FALSE;
    }
  return TRUE;
}

/* Checks that a line of @quantity at @unit_price, replacing one worth
 * @old_amount, keeps the sale under the cap; gives the new line amount. */
static gboolean
check_sale_size (TillCart *self,
                 gint64    unit_price,
                 gint64    quantity,
                 gint64    old_amount,
                 gint64   *out_amount,
                 GError  **error)
{
  gint64 amount;

  /* The quantity is at most MAX_PIECES, so this keeps unit_price × quantity
   * inside a gint64 before till_money_line_amount() multiplies. */
  if (unit_price < 0 || unit_price > G_MAXINT64 / MAX_PIECES)
    goto too_large;
  amount = till_money_line_amount (unit_price, quantity);
  if (amount < 0 || amount >= MAX_SUBTOTAL || self->subtotal - old_amount + amount >= MAX_SUBTOTAL)
    goto too_large;
  *out_amount = amount;
  return TRUE;

too_large:
  g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_TOO_LARGE,
               _ ("The sale would come to ¥1,000,000 or more; split it into several sales"));
  return FALSE;
}

/* Every journal write runs in its own transaction, unless the caller already
 * holds one (then it is part of the caller's). */
/* Undoes a journal write that failed and says, in the cashier's words, what it
 * means: the screen did not change either. */
static gboolean
change_failed (TillCart *self, gboolean own, GError **error)
{
  if (own)
    till_store_rollback (self->store);
  g_prefix_error (error, _ ("The till cannot save to its database, so nothing was changed: "));
  return FALSE;
}

static gboolean
change_begin (TillCart *self, gboolean *out_own, GError **error)
{
  *out_own = !till_store_in_transaction (self->store);
  return !*out_own || till_store_begin (self->store, error) || change_failed (self, FALSE, error);
}

static gboolean
change_commit (TillCart *self, gboolean own, GError **error)
{
  return !own || till_store_commit (self->store, error);
}

/* Writes the cart row for the current sale if it is not there yet, dropping any
 * journaled lines left behind by a cart that was never restored. */
static gboolean
journal_start (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) delete_lines = NULL;
  g_autoptr (TillStmt) put_cart = NULL;

  if (self->journaled)
    return TRUE;

  delete_lines = till_store_prepare (self->store, "DELETE FROM cart_line", error);
  if (delete_lines == NULL || !till_store_step_done (self->store, delete_lines, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (self->store)) > 0)
    g_debug ("Dropped journaled cart lines of a cart that was not restored");

  put_cart = till_store_prepare (self->store,
                                 "INSERT OR REPLACE INTO cart (id, sale_uuid, started_us) "
                                 "VALUES (1, ?, ?)",
                                 error);
  if (put_cart == NULL)
    return FALSE;
  sqlite3_bind_text (put_cart, 1, self->sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (put_cart, 2, self->started_us);
  return till_store_step_done (self->store, put_cart, error);
}

static gboolean
journal_insert_line (TillCart    *self,
                     gint64       key,
                     TillProduct *product,
                     gint64       quantity,
                     gint64       unit_price,
                     GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  if (!journal_start (self, error))
    goto failed;
  stmt = till_store_prepare (self->store,
                             "INSERT INTO cart_line (position, product_id, quantity, unit_price) "
                             "VALUES (?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, key);
  sqlite3_bind_int64 (stmt, 2, till_product_get_id (product));
  sqlite3_bind_int64 (stmt, 3, quantity);
  sqlite3_bind_int64 (stmt, 4, unit_price);
  if (!till_store_step_done (self->store, stmt, error) || !change_commit (self, own, error))
    goto failed;
  return TRUE;

failed:
  return change_failed (self, own, error);
}

static gboolean
journal_set_quantity (TillCart *self, gint64 key, gint64 quantity, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  stmt = till_store_prepare (self->store, "UPDATE cart_line SET quantity = ? WHERE position = ?",
                             error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, quantity);
  sqlite3_bind_int64 (stmt, 2, key);
  if (!till_store_step_done (self->store, stmt, error))
    goto failed;
  if (sqlite3_changes (till_store_get_db (self->store)) != 1)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_FAILED,
                   _ ("The journaled cart does not match the cart on screen"));
      goto failed;
    }
  if (!change_commit (self, own, error))
    goto failed;
  return TRUE;

failed:
  return change_failed (self, own, error);
}

/* Deletes one line's row, or all of them when @key is 0. */
static gboolean
journal_delete_lines (TillCart *self, gint64 key, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gboolean own;

  if (!change_begin (self, &own, error))
    return FALSE;
  if (key > 0)
    {
      stmt = till_store_prepare (self->store, "DELETE FROM cart_line WHERE position = ?", error);
      if (stmt != NULL)
        sqlite3_bind_int64 (stmt, 1, key);
    }
  else
    stmt = till_store_prepare (self->store, "DELETE FROM cart_line", error);
  if (stmt == NULL || !till_store_step_done (self->store, stmt, error) ||
      !change_commit (self, own, error))
    return change_failed (self, own, error);
  return TRUE;
}

static gboolean
sale_exists (TillCart *self, const char *sale_uuid, gboolean *out_exists, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (self->store, "SELECT 1 FROM sale WHERE uuid = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the sales"));
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

static void
till_cart_dispose (GObject *object)
{
  TillCart *self = (TillCart *) object;

  if (self->lines != NULL)
    g_ptr_array_set_size (self->lines, 0);
  g_clear_object (&self->catalog);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_cart_parent_class)->dispose (object);
}

static void
till_cart_finalize (GObject *object)
{
  TillCart *self = (TillCart *) object;

  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->line_keys, g_array_unref);
  g_clear_pointer (&self->sale_uuid, g_free);
  g_clear_pointer (&self->label_templates_text, g_free);
  g_clear_pointer (&self->label_templates, g_ptr_array_unref);

  G_OBJECT_CLASS (till_cart_parent_class)->finalize (object);
}

static void
till_cart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCart *self = TILL_CART (object);

  switch (prop_id)
    {
    case PROP_SALE_UUID:
      g_value_set_string (value, self->sale_uuid);
      break;
    case PROP_SUBTOTAL:
      g_value_set_int64 (value, self->subtotal);
      break;
    case PROP_ROUNDING:
      g_value_set_int64 (value, self->rounding);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_ITEM_COUNT:
      g_value_set_int64 (value, self->item_count);
      break;
    case PROP_N_LINES:
      g_value_set_uint (value, self->lines->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_cart_class_init (TillCartClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = till_cart_dispose;
  object_class->finalize = till_cart_finalize;
  object_class->get_property = till_cart_get_property;

  properties[PROP_SALE_UUID] = g_param_spec_string ("sale-uuid", NULL, NULL, NULL, flags);
  properties[PROP_SUBTOTAL] = g_param_spec_int64 ("subtotal", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* 抹零 can round down (negative) or, rounding to the jiao, up (positive). */
  properties[PROP_ROUNDING] =
      g_param_spec_int64 ("rounding", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ITEM_COUNT] =
      g_param_spec_int64 ("item-count", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_N_LINES] = g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_cart_init (TillCart *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_object_unref);
  self->line_keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->next_key = 1;
  self->rounding_rule = TILL_ROUNDING_NONE;
}

/**
 * till_cart_new:
 * @store: the till's store, where the cart is journaled
 * @catalog: where barcodes and PLUs are looked up
 *
 * Makes an empty cart with a new sale uuid and the store's rounding rule (setting
 * "rounding"). Call till_cart_restore() next to take up a cart the till was
 * working on when it stopped.
 *
 * Returns: (transfer full): the cart
 */
TillCart *
till_cart_new (TillStore *store, TillCatalog *catalog)
{
  TillCart        *self;
  g_autofree char *rule_text = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_CATALOG (catalog), NULL);

  self = g_object_new (TILL_TYPE_CART, NULL);
  self->store = g_object_ref (store);
  self->catalog = g_object_ref (catalog);
  self->sale_uuid = till_uuid_v7_new ();
  self->started_us = g_get_real_time ();

  rule_text = till_store_get_setting (store, "rounding");
  if (rule_text != NULL && !till_rounding_from_string (rule_text, &self->rounding_rule))
    {
      g_debug ("Unknown rounding rule \"%s\" in the settings; rounding nothing", rule_text);
      self->rounding_rule = TILL_ROUNDING_NONE;
    }
  return self;
}

/**
 * till_cart_restore:
 *
 * Replaces the cart with the one journaled in the store: same sale uuid, same
 * lines, same prices. When no cart is journaled the cart is left empty. A
 * journaled cart whose sale was already recorded (which the sale transaction
 * prevents, but a copied database might not) is discarded rather than sold twice.
 */
gboolean
till_cart_restore (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) cart_stmt = NULL;
  g_autoptr (TillStmt) line_stmt = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GArray) keys = NULL;
  g_autofree char *sale_uuid = NULL;
  gint64           started_us;
  gboolean         sold = FALSE;
  guint            n_removed;
  int              rc;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cart_stmt = till_store_prepare (self->store,
                                  "SELECT sale_uuid, started_us FROM cart WHERE id = 1", error);
  if (cart_stmt == NULL)
    return FALSE;
  rc = sqlite3_step (cart_stmt);
  if (rc == SQLITE_DONE)
    {
      if (self->journaled || self->lines->len > 0)
        start_new_sale (self);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journaled cart"));
      return FALSE;
    }
  sale_uuid = g_strdup ((const char *) sqlite3_column_text (cart_stmt, 0));
  started_us = sqlite3_column_int64 (cart_stmt, 1);
  till_stmt_release (g_steal_pointer (&cart_stmt));

  if (!sale_exists (self, sale_uuid, &sold, error))
    return FALSE;
  if (sold)
    {
      gboolean own;

      g_message ("The journaled cart %s was already sold; starting a new sale", sale_uuid);
      if (!change_begin (self, &own, error))
        return FALSE;
      if (!_till_cart_delete_journal (self, error) || !change_commit (self, own, error))
        return change_failed (self, own, error);
      start_new_sale (self);
      return TRUE;
    }

  lines = g_ptr_array_new_with_free_func (g_object_unref);
  keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  line_stmt = till_store_prepare (self->store,
                                  "SELECT position, product_id, quantity, unit_price "
                                  "FROM cart_line ORDER BY position",
                                  error);
  if (line_stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (line_stmt)) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (line_stmt, 0);
      gint64 quantity = sqlite3_column_int64 (line_stmt, 2);
      gint64 unit_price = sqlite3_column_int64 (line_stmt, 3);
      g_autoptr (TillProduct) product = NULL;

      /* By id, active or not: the customer is holding goods that were on sale when
       * they were scanned, even if the product was withdrawn since. */
      product = till_catalog_lookup_id (self->catalog, sqlite3_column_int64 (line_stmt, 1), error);
      if (product == NULL)
        return FALSE;
      g_ptr_array_add (lines, till_cart_line_new (product, quantity, unit_price));
      g_array_append_val (keys, key);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the journaled cart"));
      return FALSE;
    }

  /* Everything is read: only now replace what is in memory. */
  n_removed = self->lines->len;
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->line_keys, g_array_unref);
  self->lines = g_steal_pointer (&lines);
  self->line_keys = g_steal_pointer (&keys);
  self->next_key = self->line_keys->len > 0 ? key_at (self, self->line_keys->len - 1) + 1 : 1;
  self->journaled = TRUE;
  self->started_us = started_us;

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->sale_uuid, sale_uuid) != 0)
    set_sale_uuid (self, g_steal_pointer (&sale_uuid));
  if (n_removed > 0 || self->lines->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n_removed, self->lines->len);
  update_totals (self);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/* Returns: (transfer none): the store the cart is journaled in */
TillStore *
till_cart_get_store (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->store;
}

/* Returns: (transfer none): the catalog the cart looks products up in */
TillCatalog *
till_cart_get_catalog (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->catalog;
}

/* Returns: the uuid the sale will be recorded under */
const char *
till_cart_get_sale_uuid (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  return self->sale_uuid;
}

/* Adds a new line of @quantity at @unit_price (checked: the caller checked the
 * product and the quantity). */
static TillCartLine *
append_line (
    TillCart *self, TillProduct *product, gint64 quantity, gint64 unit_price, GError **error)
{
  g_autoptr (TillCartLine) new_line = NULL;
  gint64 amount;
  gint64 key;

  if (self->lines->len >= MAX_LINES)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_TOO_LARGE,
                   _ ("A sale can have at most %d lines; split it into several sales"), MAX_LINES);
      return NULL;
    }
  if (!check_sale_size (self, unit_price, quantity, 0, &amount, error))
    return NULL;

  key = self->next_key;
  if (!journal_insert_line (self, key, product, quantity, unit_price, error))
    return NULL;
  self->journaled = TRUE;
  self->next_key = key + 1;

  new_line = till_cart_line_new (product, quantity, unit_price);
  g_ptr_array_add (self->lines, g_object_ref (new_line));
  g_array_append_val (self->line_keys, key);
  g_list_model_items_changed (G_LIST_MODEL (self), self->lines->len - 1, 0, 1);
  update_totals (self);
  return new_line;
}

/* The store's scale label templates: the setting is read on every scan (one
 * cached statement) so a change in the back office applies at once, and parsed
 * again only when it changed. A setting that cannot be read as templates is
 * reported and the defaults apply, so ordinary barcodes keep selling. */
static GPtrArray *
label_templates (TillCart *self)
{
  g_autofree char *text = till_store_get_setting (self->store, TILL_LABEL_BARCODE_SETTING);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) parsed = NULL;

  if (text != NULL && *g_strstrip (text) == '\0')
    g_clear_pointer (&text, g_free);
  if (self->label_templates != NULL && g_strcmp0 (text, self->label_templates_text) == 0)
    return self->label_templates;

  if (text != NULL && (parsed = till_label_templates_parse (text, &error)) == NULL)
    g_message ("Using the default label barcode templates: %s", error->message);
  if (parsed == NULL)
    parsed = till_label_templates_parse (till_label_barcode_default_templates, NULL);
  g_assert (parsed != NULL);

  g_clear_pointer (&self->label_templates, g_ptr_array_unref);
  g_free (self->label_templates_text);
  self->label_templates = g_steal_pointer (&parsed);
  self->label_templates_text = g_steal_pointer (&text);
  return self->label_templates;
}

/* The product of a label's item code: scales print the PLU zero-padded to the
 * field ("08001"), the catalog may hold it without the zeros ("8001"). */
static TillProduct *
lookup_label_plu (TillCart *self, const TillLabelBarcode *label, const char *code, GError **error)
{
  g_autoptr (GError) lookup_error = NULL;
  const char  *plu = label->plu;
  TillProduct *product;

  while (TRUE)
    {
      product = till_catalog_lookup_plu (self->catalog, plu, &lookup_error);
      if (product != NULL)
        return product;
      if (!g_error_matches (lookup_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&lookup_error));
          return NULL;
        }
      g_clear_error (&lookup_error);
      if (plu[0] != '0' || plu[1] == '\0')
        break;
      while (plu[0] == '0' && plu[1] != '\0')
        plu++;
    }
  g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
               _ ("No product has the PLU %s printed on the scale label %s"), label->plu, code);
  return NULL;
}

/* A unit price at which @quantity comes to exactly @amount, preferring
 * @preferred (the catalog price); -1 when none does. Each step of the unit
 * price moves the amount by quantity/1000 fen, so one exists whenever the
 * quantity is at most 1 (kg or piece). */
static gint64
unit_price_for_amount (gint64 amount, gint64 quantity, gint64 preferred)
{
  gint64 nearest;

  if (preferred >= 0 && till_money_line_amount (preferred, quantity) == amount)
    return preferred;
  nearest = (amount * TILL_QUANTITY_ONE + quantity / 2) / quantity;
  for (gint64 u = MAX (nearest - 1, 0); u <= nearest + 1; u++)
    if (till_money_line_amount (u, quantity) == amount)
      return u;
  return -1;
}

/* How far (grams) a weight may move to reach the label's amount exactly when no
 * unit price does at the printed weight: only over 1 kg, by a few grams. */
#define MAX_LABEL_DRIFT 20

/* Adds what a price-embedded label says. The line is (quantity, unit price) as
 * every line is, and its amount must be the label's to the fen, since that is
 * what the customer saw and agreed to (DEVICES.md §3: trust the amount):
 * - the quantity is the label's weight, or amount ÷ catalog unit price when the
 *   label has none ([S19b]), rounded to the gram;
 * - the unit price is the catalog price when that gives the label's amount,
 *   otherwise the unit price nearest to amount ÷ quantity that does (the scale
 *   may price differently: a markdown, a price changed since the label);
 * - over 1 kg no unit price may hit the amount exactly; then the weight moves
 *   by a few grams until one does.
 * A price line (one piece at the label's amount) would be exact too, but would
 * record 1 kg of a weighed good, wrong for stock and reports. Counted goods do
 * get such a line when the amount is not a whole number of pieces. */
static TillCartLine *
add_label_amount (TillCart               *self,
                  TillProduct            *product,
                  const TillLabelBarcode *label,
                  GError                **error)
{
  gint64 price = till_product_get_price (product);
  gint64 amount = label->amount;
  gint64 quantity;
  gint64 unit_price = -1;

  if (amount <= 0)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s: the scale label shows no amount"), till_product_get_name (product));
      return NULL;
    }

  if (!till_product_get_weighed (product))
    {
      if (label->has_quantity && label->quantity > 0)
        quantity = label->quantity;
      else if (price > 0 && amount % price == 0)
        quantity = amount / price * TILL_QUANTITY_ONE;
      else
        quantity = TILL_QUANTITY_ONE;
      if (!check_quantity (product, quantity, error))
        return NULL;
      unit_price = unit_price_for_amount (amount, quantity, price);
      if (unit_price < 0)
        {
          /* Only when the label's count does not divide its amount. */
          quantity = TILL_QUANTITY_ONE;
          unit_price = amount;
        }
      if (unit_price == price)
        return till_cart_add_product (self, product, quantity, error);
      return append_line (self, product, quantity, unit_price, error);
    }

  if (label->has_quantity && label->quantity > 0)
    quantity = label->quantity;
  else
    {
      if (price <= 0)
        {
          g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                       _ ("%s has no price per kg to work out its weight from the label"),
                       till_product_get_name (product));
          return NULL;
        }
      quantity = MAX (till_money_round_half_up (amount * TILL_QUANTITY_ONE, price), 1);
      /* The derived weight is a rounding anyway: a neighbouring gram that keeps
       * the catalog price is better than a changed unit price. */
      for (gint64 step = 0; step <= 4; step++)
        {
          /* quantity, +1, −1, +2, −2: the nearest first. */
          gint64 q = quantity + (step % 2 == 1 ? (step + 1) / 2 : -(step / 2));

          if (q > 0 && till_money_line_amount (price, q) == amount)
            {
              quantity = q;
              break;
            }
        }
    }
  if (!check_quantity (product, quantity, error))
    return NULL;

  for (gint64 drift = 0; drift <= MAX_LABEL_DRIFT && unit_price < 0; drift++)
    {
      if ((unit_price = unit_price_for_amount (amount, quantity + drift, price)) >= 0)
        quantity += drift;
      else if (quantity - drift > 0 &&
               (unit_price = unit_price_for_amount (amount, quantity - drift, price)) >= 0)
        quantity -= drift;
    }
  if (unit_price < 0 || !check_quantity (product, quantity, error))
    {
      if (unit_price < 0)
        g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                     _ ("%s: the weight and amount on the scale label do not fit together"),
                     till_product_get_name (product));
      return NULL;
    }
  return append_line (self, product, quantity, unit_price, error);
}

/* Adds the product of a scale label with the weight or amount it carries. */
static TillCartLine *
add_label (TillCart *self, GPtrArray *templates, const char *code, GError **error)
{
  g_autoptr (TillLabelBarcode) label = NULL;
  g_autoptr (TillProduct) product = NULL;

  label = till_label_barcode_parse (templates, code, error);
  if (label == NULL)
    return NULL;
  product = lookup_label_plu (self, label, code, error);
  if (product == NULL)
    return NULL;
  if (!till_product_get_active (product))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_INACTIVE, _ ("%s is no longer sold"),
                   till_product_get_name (product));
      return NULL;
    }
  if (label->has_amount)
    return add_label_amount (self, product, label, error);
  /* A weight label: the weight at the till's price, like a weighing at the till. */
  return till_cart_add_product (self, product, label->quantity, error);
}

/**
 * till_cart_add_product:
 * @product: an active product
 * @quantity: thousandths: pieces × 1000, or grams when weighed
 *
 * Adds @product at its current price. A counted product already in the cart gets
 * @quantity added to its line; a weighed one always gets a line of its own.
 *
 * Returns: (transfer none): the line added or changed, or %NULL with @error set
 */
TillCartLine *
till_cart_add_product (TillCart *self, TillProduct *product, gint64 quantity, GError **error)
{
  gint64 amount;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (TILL_IS_PRODUCT (product), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_product_get_active (product))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_INACTIVE, _ ("%s is no longer sold"),
                   till_product_get_name (product));
      return NULL;
    }
  if (!check_quantity (product, quantity, error))
    return NULL;

  if (!till_product_get_weighed (product))
    {
      for (guint i = 0; i < self->lines->len; i++)
        {
          TillCartLine *line = line_at (self, i);
          gint64        new_quantity;

          if (till_product_get_id (till_cart_line_get_product (line)) !=
              till_product_get_id (product))
            continue;

          new_quantity = till_cart_line_get_quantity (line) + quantity;
          if (!check_quantity (product, new_quantity, error) ||
              !check_sale_size (self, till_cart_line_get_unit_price (line), new_quantity,
                                till_cart_line_get_amount (line), &amount, error) ||
              !journal_set_quantity (self, key_at (self, i), new_quantity, error))
            return NULL;

          till_cart_line_set_quantity (line, new_quantity);
          g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 1);
          update_totals (self);
          return line;
        }
    }

  return append_line (self, product, quantity, till_product_get_price (product), error);
}

/**
 * till_cart_add_barcode:
 * @barcode: the scanned code
 *
 * Adds one piece of the product with @barcode. Catalog errors (not found, bad
 * check digit) come back unchanged, for the cashier to read.
 *
 * A code with the length and prefix of one of the store's scale label templates
 * (setting "label-barcode.templates", see till-label-barcode.h) adds the
 * product of the label's PLU with the label's weight or amount, unless the
 * catalog holds that exact code as a product's barcode (in-store codes share
 * the 20–29 prefixes). Label errors: %TILL_LABEL_BARCODE_ERROR_BAD_CHECK and
 * _PRICE_CHECK, %TILL_CATALOG_ERROR_NOT_FOUND naming the PLU.
 *
 * Returns: (transfer none): the line added or changed, or %NULL with @error set
 */
TillCartLine *
till_cart_add_barcode (TillCart *self, const char *barcode, GError **error)
{
  g_autoptr (TillProduct) product = NULL;
  GPtrArray *templates;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (barcode != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  templates = label_templates (self);
  if (till_label_templates_match_any (templates, barcode))
    {
      g_autoptr (GError) lookup_error = NULL;

      product = till_catalog_lookup_barcode (self->catalog, barcode, &lookup_error);
      if (product == NULL)
        {
          if (!g_error_matches (lookup_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND) &&
              !g_error_matches (lookup_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID))
            {
              g_propagate_error (error, g_steal_pointer (&lookup_error));
              return NULL;
            }
          return add_label (self, templates, barcode, error);
        }
    }
  else
    product = till_catalog_lookup_barcode (self->catalog, barcode, error);
  if (product == NULL)
    return NULL;
  if (till_product_get_weighed (product))
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_QUANTITY,
                   _ ("%s is sold by weight: weigh it and key its PLU"),
                   till_product_get_name (product));
      return NULL;
    }
  return till_cart_add_product (self, product, TILL_QUANTITY_ONE, error);
}

/**
 * till_cart_add_plu:
 * @plu: the product's PLU code
 * @quantity: thousandths: grams for weighed goods, pieces × 1000 otherwise
 *
 * Returns: (transfer none): the line added or changed, or %NULL with @error set
 */
TillCartLine *
till_cart_add_plu (TillCart *self, const char *plu, gint64 quantity, GError **error)
{
  g_autoptr (TillProduct) product = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  g_return_val_if_fail (plu != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  product = till_catalog_lookup_plu (self->catalog, plu, error);
  if (product == NULL)
    return NULL;
  return till_cart_add_product (self, product, quantity, error);
}

/**
 * till_cart_set_quantity:
 * @position: the line's index
 * @quantity: the new quantity in thousandths
 */
gboolean
till_cart_set_quantity (TillCart *self, guint position, gint64 quantity, GError **error)
{
  TillCartLine *line;
  gint64        amount;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (position >= self->lines->len)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE, _ ("There is no line %u"),
                   position + 1);
      return FALSE;
    }
  line = line_at (self, position);
  if (!check_quantity (till_cart_line_get_product (line), quantity, error) ||
      !check_sale_size (self, till_cart_line_get_unit_price (line), quantity,
                        till_cart_line_get_amount (line), &amount, error))
    return FALSE;
  if (quantity == till_cart_line_get_quantity (line))
    return TRUE;

  if (!journal_set_quantity (self, key_at (self, position), quantity, error))
    return FALSE;
  till_cart_line_set_quantity (line, quantity);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
  update_totals (self);
  return TRUE;
}

/**
 * till_cart_remove_line:
 * @position: the line's index
 */
gboolean
till_cart_remove_line (TillCart *self, guint position, GError **error)
{
  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (position >= self->lines->len)
    {
      g_set_error (error, TILL_CART_ERROR, TILL_CART_ERROR_NO_LINE, _ ("There is no line %u"),
                   position + 1);
      return FALSE;
    }
  if (!journal_delete_lines (self, key_at (self, position), error))
    return FALSE;

  g_ptr_array_remove_index (self->lines, position);
  g_array_remove_index (self->line_keys, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  update_totals (self);
  return TRUE;
}

/**
 * till_cart_clear:
 *
 * Removes every line; the sale keeps its uuid.
 */
gboolean
till_cart_clear (TillCart *self, GError **error)
{
  guint n_removed;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_removed = self->lines->len;
  if (n_removed == 0)
    return TRUE;
  if (!journal_delete_lines (self, 0, error))
    return FALSE;

  g_ptr_array_set_size (self->lines, 0);
  g_array_set_size (self->line_keys, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n_removed, 0);
  update_totals (self);
  return TRUE;
}

guint
till_cart_get_n_lines (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->lines->len;
}

/* Returns: (transfer none) (nullable): the line at @position, or %NULL */
TillCartLine *
till_cart_get_line (TillCart *self, guint position)
{
  g_return_val_if_fail (TILL_IS_CART (self), NULL);
  if (position >= self->lines->len)
    return NULL;
  return line_at (self, position);
}

/* Returns: the sum of the line amounts, in fen */
gint64
till_cart_get_subtotal (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->subtotal;
}

/* Returns: total − subtotal, in fen: what 抹零 took off (negative) or added */
gint64
till_cart_get_rounding (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->rounding;
}

/* Returns: what the customer pays, in fen */
gint64
till_cart_get_total (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->total;
}

/* Returns: the pieces of counted goods plus one per weighed line */
gint64
till_cart_get_item_count (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), 0);
  return self->item_count;
}

TillRounding
till_cart_get_rounding_rule (TillCart *self)
{
  g_return_val_if_fail (TILL_IS_CART (self), TILL_ROUNDING_NONE);
  return self->rounding_rule;
}

/**
 * till_cart_set_rounding_rule:
 *
 * Changes the 抹零 rule for this cart (the store setting "rounding" gives the
 * default) and updates the totals.
 */
void
till_cart_set_rounding_rule (TillCart *self, TillRounding rule)
{
  g_return_if_fail (TILL_IS_CART (self));
  g_return_if_fail (rule <= TILL_ROUNDING_ROUND_JIAO);

  if (self->rounding_rule == rule)
    return;
  self->rounding_rule = rule;
  update_totals (self);
}

/**
 * _till_cart_delete_journal:
 *
 * For the sale commit: inside its transaction, deletes the journaled cart, so the
 * sale and the cart it came from never both survive a crash.
 */
gboolean
_till_cart_delete_journal (TillCart *self, GError **error)
{
  g_autoptr (TillStmt) delete_lines = NULL;
  g_autoptr (TillStmt) delete_cart = NULL;

  g_return_val_if_fail (TILL_IS_CART (self), FALSE);
  g_return_val_if_fail (till_store_in_transaction (self->store), FALSE);

  delete_lines = till_store_prepare (self->store, "DELETE FROM cart_line", error);
  if (delete_lines == NULL || !till_store_step_done (self->store, delete_lines, error))
    return FALSE;
  delete_cart = till_store_prepare (self->store, "DELETE FROM cart", error);
  if (delete_cart == NULL || !till_store_step_done (self->store, delete_cart, error))
    return FALSE;
  return TRUE;
}

/**
 * _till_cart_reset:
 *
 * For the sale commit: after the transaction committed, empties the cart and
 * starts the next sale with a new uuid.
 */
void
_till_cart_reset (TillCart *self)
{
  g_return_if_fail (TILL_IS_CART (self));
  start_new_sale (self);
}
