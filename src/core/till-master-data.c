/* till-master-data.c: master data pulled from HQ, applied one page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-master-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "till-master-data.h"
#include "till-pinyin.h"
#include "till-store.h"
#include "till-user.h"

/* What HQ's PIN verifiers must be: the till checks PINs with exactly these
 * scrypt parameters (till-user.c), and with 16-byte salts and 32-byte hashes. */
#define USER_KDF "scrypt:16384:8:1"
#define PIN_SALT_LEN 16
#define PIN_HASH_LEN 32

/* The rank of a row's scope, as till_wire_scope_rank(): the most specific
 * scope wins where several rows share an id (store 2, group 1, all 0). */
#define SCOPE_RANK(col)                                                                         \
  "(CASE WHEN substr (" col ", 1, 6) = 'store:' THEN 2 WHEN substr (" col ", 1, 6) = 'group:' " \
  "THEN 1 WHEN " col " = 'all' THEN 0 ELSE -1 END)"

G_DEFINE_QUARK (till_master_data_error_quark, till_master_data_error)

/* The channels this till knows, in the order it pulls them. */
static const char *const channels[] = {
  "categories", "items", "prices", "users", "settings", "promotions", "members",
};

/* Settings the till keeps for itself: who it is and how it reaches HQ
 * (till.id, sync.*), the salt of its badge hashes (badge_salt). HQ sending one
 * of them is a mistake that would detach the till from HQ or sign-ins from
 * their badges, so the page fails. The offline limits (sync.limit.*) are the
 * exception: SYNC.md §5 6.7 makes their thresholds HQ configuration. The
 * receipt, return and wallet numbers are counters (table counter), out of
 * reach of settings. */
static const char *const own_setting_keys[] = { "till.id", "badge_salt" };
/* The setting through which HQ names the group of the till's store ("" for
 * none); HQ's pull sends the rows of that group only (docs/sync-api.md). */
#define STORE_GROUP_SETTING "store.group"
#define OWN_SETTING_PREFIX "sync."
#define HQ_SETTING_PREFIX "sync.limit."

typedef struct
{
  char    *name;
  char    *short_name;
  char    *unit;
  char    *category;
  char    *plu;
  char    *brand;
  gint64   vat_rate;
  gint64   cost;
  gint64   price;
  gint64   member_price;
  gboolean weighed;
  gboolean active;
} ItemFields;

static void
item_fields_clear (ItemFields *item)
{
  g_free (item->name);
  g_free (item->short_name);
  g_free (item->unit);
  g_free (item->category);
  g_free (item->plu);
  g_free (item->brand);
  memset (item, 0, sizeof *item);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ItemFields, item_fields_clear)

typedef struct
{
  char    *name;
  char    *role;
  GBytes  *pin_salt;
  GBytes  *pin_hash;
  gboolean active;
  gboolean has_line_discount;
  gint64   max_line_discount_bp;
  gboolean has_price_override;
  gint64   max_price_override;
  gboolean has_refund;
  gint64   max_refund;
} UserFields;

static void
user_fields_clear (UserFields *user)
{
  g_free (user->name);
  g_free (user->role);
  g_clear_pointer (&user->pin_salt, g_bytes_unref);
  g_clear_pointer (&user->pin_hash, g_bytes_unref);
  memset (user, 0, sizeof *user);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UserFields, user_fields_clear)

static gboolean
channel_is_known (const char *channel)
{
  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    if (g_strcmp0 (channel, channels[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
set_channel_error (const char *channel, GError **error)
{
  g_set_error (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_CHANNEL,
               _ ("“%s” is not a kind of master data this till knows"), channel);
  return FALSE;
}

static gboolean
set_row_error (GError **error, const char *channel, const char *id, const char *why)
{
  g_set_error (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_ROW,
               _ ("HQ sent a row the till cannot apply (%s “%s”): %s"), channel, id, why);
  return FALSE;
}

static gboolean
setting_is_own (const char *key)
{
  if (g_str_has_prefix (key, HQ_SETTING_PREFIX))
    return FALSE;
  if (g_str_has_prefix (key, OWN_SETTING_PREFIX))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (own_setting_keys); i++)
    if (strcmp (key, own_setting_keys[i]) == 0)
      return TRUE;
  return FALSE;
}

static char *
dup_column_text (TillStmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* An integer member: absent or null gives @fallback; anything but an integer
 * in [@min, @max] is refused with @why naming the member. */
static gboolean
column_int (TillStmt   *stmt,
            int         column,
            const char *member,
            gint64      min,
            gint64      max,
            gint64      fallback,
            gint64     *out_value,
            char      **out_why)
{
  gint64 value;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    {
      *out_value = fallback;
      return TRUE;
    }
  value = sqlite3_column_int64 (stmt, column);
  if (sqlite3_column_type (stmt, column) != SQLITE_INTEGER || value < min || value > max)
    {
      *out_why = g_strdup_printf (_ ("“%s” must be a whole number from %" PRId64 " to %" PRId64),
                                  member, min, max);
      return FALSE;
    }
  *out_value = value;
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* A text member that must be present and not blank. */
static gboolean
column_name (TillStmt *stmt, int column, const char *member, char **out_text, char **out_why)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  if (sqlite3_column_type (stmt, column) != SQLITE_TEXT || is_blank (text))
    {
      *out_why = g_strdup_printf (_ ("“%s” is missing"), member);
      return FALSE;
    }
  *out_text = g_strdup (text);
  return TRUE;
}

/* Checks that @data is a JSON object: SQLite's JSON functions take a string
 * or a number as well, which HQ never sends as a row. */
static gboolean
check_object (TillStore *store, const char *data, char **out_why, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store, "SELECT json_valid (?1) AND json_type (?1) = 'object'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, data, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read a row from HQ"));
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) == 0)
    *out_why = g_strdup (_ ("it is not a JSON object"));
  return TRUE;
}

/* Reads an item's members. Returns FALSE with @error for a database failure,
 * and TRUE with *out_why set (and @item cleared) for a row that is wrong. */
static gboolean
read_item (TillStore *store, const char *data, ItemFields *item, char **out_why, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  gint64 weighed = 0;
  gint64 active = 1;

  stmt =
      till_store_prepare (store,
                          "SELECT json_extract (?1, '$.name'), json_extract (?1, '$.short_name'),"
                          " json_extract (?1, '$.unit'), json_extract (?1, '$.category'),"
                          " json_extract (?1, '$.plu'), json_extract (?1, '$.brand'),"
                          " json_extract (?1, '$.vat_rate'), json_extract (?1, '$.cost'),"
                          " json_extract (?1, '$.price'), json_extract (?1, '$.member_price'),"
                          " json_extract (?1, '$.weighed'), json_extract (?1, '$.active'),"
                          " coalesce (json_type (?1, '$.barcodes'), 'null')",
                          error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, data, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read an item from HQ"));
      return FALSE;
    }

  if (!column_name (stmt, 0, "name", &item->name, out_why) ||
      !column_int (stmt, 6, "vat_rate", 0, 10000, 1300, &item->vat_rate, out_why) ||
      !column_int (stmt, 7, "cost", 0, G_MAXINT64, 0, &item->cost, out_why) ||
      !column_int (stmt, 8, "price", 0, G_MAXINT64, 0, &item->price, out_why) ||
      !column_int (stmt, 9, "member_price", 0, G_MAXINT64, 0, &item->member_price, out_why) ||
      !column_int (stmt, 10, "weighed", 0, 1, 0, &weighed, out_why) ||
      !column_int (stmt, 11, "active", 0, 1, 1, &active, out_why))
    {
      item_fields_clear (item);
      return TRUE;
    }
  /* No list price would sell the item for nothing wherever no price row
   * applies. */
  if (sqlite3_column_type (stmt, 8) == SQLITE_NULL)
    {
      item_fields_clear (item);
      *out_why = g_strdup_printf (_ ("“%s” is missing"), "price");
      return TRUE;
    }
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 12), "array") != 0 &&
      g_strcmp0 ((const char *) sqlite3_column_text (stmt, 12), "null") != 0)
    {
      item_fields_clear (item);
      *out_why = g_strdup (_ ("“barcodes” must be a list"));
      return TRUE;
    }
  item->short_name = dup_column_text (stmt, 1);
  item->unit = dup_column_text (stmt, 2);
  if (item->unit == NULL || *item->unit == '\0')
    {
      /* A piece: what a count-sold item is sold by when HQ names no unit. */
      g_free (item->unit);
      item->unit = g_strdup ("件");
    }
  item->category = dup_column_text (stmt, 3);
  item->plu = dup_column_text (stmt, 4);
  if (item->plu != NULL && *item->plu == '\0')
    g_clear_pointer (&item->plu, g_free);
  item->brand = dup_column_text (stmt, 5);
  item->weighed = weighed != 0;
  item->active = active != 0;
  return TRUE;
}

static GBytes *
decode_base64_exact (const char *text, gsize expected_len)
{
  g_autofree guchar *raw = NULL;
  gsize              len = 0;

  if (text == NULL || *text == '\0')
    return NULL;
  raw = g_base64_decode (text, &len);
  if (len != expected_len)
    return NULL;
  return g_bytes_new (raw, len);
}

/* Reads a user's members, as read_item(). */
static gboolean
read_user (TillStore *store, const char *data, UserFields *user, char **out_why, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  TillRole role;
  gint64   active = 1;

  stmt = till_store_prepare (store,
                             "SELECT json_extract (?1, '$.name'), json_extract (?1, '$.role'),"
                             " json_extract (?1, '$.kdf'), json_extract (?1, '$.pin_salt'),"
                             " json_extract (?1, '$.pin_hash'), json_extract (?1, '$.active'),"
                             " json_extract (?1, '$.max_line_discount_bp'),"
                             " json_extract (?1, '$.max_price_override'),"
                             " json_extract (?1, '$.max_refund')",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, data, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read a user from HQ"));
      return FALSE;
    }

  if (!column_name (stmt, 0, "name", &user->name, out_why) ||
      !column_name (stmt, 1, "role", &user->role, out_why))
    goto wrong;
  if (!till_role_from_string (user->role, &role))
    {
      *out_why = g_strdup_printf (_ ("the role “%s” is not one this till knows"), user->role);
      goto wrong;
    }
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), USER_KDF) != 0)
    {
      *out_why = g_strdup_printf (_ ("the PIN is hashed with “%s”, not %s"),
                                  sqlite3_column_type (stmt, 2) == SQLITE_NULL
                                      ? "null"
                                      : (const char *) sqlite3_column_text (stmt, 2),
                                  USER_KDF);
      goto wrong;
    }
  user->pin_salt = decode_base64_exact ((const char *) sqlite3_column_text (stmt, 3), PIN_SALT_LEN);
  user->pin_hash = decode_base64_exact ((const char *) sqlite3_column_text (stmt, 4), PIN_HASH_LEN);
  if (user->pin_salt == NULL || user->pin_hash == NULL)
    {
      *out_why = g_strdup_printf (_ ("the PIN needs a %d-byte salt and a %d-byte hash in base64"),
                                  PIN_SALT_LEN, PIN_HASH_LEN);
      goto wrong;
    }
  if (!column_int (stmt, 5, "active", 0, 1, 1, &active, out_why) ||
      !column_int (stmt, 6, "max_line_discount_bp", -1, 10000, 0, &user->max_line_discount_bp,
                   out_why) ||
      !column_int (stmt, 7, "max_price_override", -1, G_MAXINT64, 0, &user->max_price_override,
                   out_why) ||
      !column_int (stmt, 8, "max_refund", -1, G_MAXINT64, 0, &user->max_refund, out_why))
    goto wrong;
  user->active = active != 0;
  /* A null limit means the role's default (till-permission.c). */
  user->has_line_discount = sqlite3_column_type (stmt, 6) != SQLITE_NULL;
  user->has_price_override = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
  user->has_refund = sqlite3_column_type (stmt, 8) != SQLITE_NULL;
  return TRUE;

wrong:
  user_fields_clear (user);
  return TRUE;
}

/* Checks one incoming row against what its channel needs, before anything of
 * the page is written. */
static gboolean
check_row (TillStore *store, const char *channel, const TillMasterRow *row, GError **error)
{
  g_autofree char *why = NULL;

  if (row->id == NULL || *row->id == '\0' || row->scope == NULL)
    return set_row_error (error, channel, row->id != NULL ? row->id : "", _ ("it has no id"));
  if (row->data_json == NULL)
    {
      if (strcmp (channel, "settings") == 0 && setting_is_own (row->id))
        return set_row_error (error, channel, row->id, _ ("the till keeps this setting itself"));
      return TRUE;
    }

  if (!check_object (store, row->data_json, &why, error))
    return FALSE;
  if (why == NULL && strcmp (channel, "categories") == 0)
    {
      g_autoptr (TillStmt) stmt = till_store_prepare (
          store, "SELECT json_extract (?1, '$.name'), json_extract (?1, '$.sort_order')", error);
      g_autofree char *name = NULL;
      gint64           sort_order;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, row->data_json, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          till_store_set_error (store, error, _ ("Cannot read a category from HQ"));
          return FALSE;
        }
      if (column_name (stmt, 0, "name", &name, &why))
        column_int (stmt, 1, "sort_order", G_MININT32, G_MAXINT32, 0, &sort_order, &why);
    }
  else if (why == NULL && strcmp (channel, "items") == 0)
    {
      g_auto (ItemFields) item = { 0 };

      if (!read_item (store, row->data_json, &item, &why, error))
        return FALSE;
    }
  else if (why == NULL && strcmp (channel, "prices") == 0)
    {
      g_autoptr (TillStmt) stmt = till_store_prepare (
          store,
          "SELECT json_extract (?1, '$.sku'), json_extract (?1, '$.price'),"
          " json_extract (?1, '$.member_price'), json_extract (?1, '$.effective_from_us')",
          error);
      g_autofree char *sku = NULL;
      gint64           value;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, row->data_json, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          till_store_set_error (store, error, _ ("Cannot read a price from HQ"));
          return FALSE;
        }
      if (column_name (stmt, 0, "sku", &sku, &why) &&
          column_int (stmt, 1, "price", 0, G_MAXINT64, 0, &value, &why) &&
          column_int (stmt, 2, "member_price", 0, G_MAXINT64, 0, &value, &why) &&
          column_int (stmt, 3, "effective_from_us", G_MININT64, G_MAXINT64, 0, &value, &why))
        {
          if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
            why = g_strdup_printf (_ ("“%s” is missing"), "price");
          else if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
            why = g_strdup_printf (_ ("“%s” is missing"), "effective_from_us");
        }
    }
  else if (why == NULL && strcmp (channel, "users") == 0)
    {
      g_auto (UserFields) user = { 0 };

      if (!read_user (store, row->data_json, &user, &why, error))
        return FALSE;
    }
  else if (why == NULL && strcmp (channel, "settings") == 0)
    {
      g_autoptr (TillStmt) stmt = NULL;

      if (setting_is_own (row->id))
        return set_row_error (error, channel, row->id, _ ("the till keeps this setting itself"));
      stmt = till_store_prepare (store, "SELECT json_type (?1, '$.value')", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, row->data_json, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          till_store_set_error (store, error, _ ("Cannot read a setting from HQ"));
          return FALSE;
        }
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "null") == 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "object") == 0 ||
          g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "array") == 0)
        why = g_strdup (_ ("“value” must be a string, a number or true/false"));
    }

  if (why != NULL)
    return set_row_error (error, channel, row->id, why);
  return TRUE;
}

/* The data of the row that applies for (@channel, @id): the most specific
 * scope. NULL when HQ holds none (any more). */
static gboolean
get_effective_data (
    TillStore *store, const char *channel, const char *id, char **out_data, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  *out_data = NULL;
  stmt = till_store_prepare (store,
                             "SELECT data FROM master_row WHERE channel = ? AND id = ? "
                             "ORDER BY " SCOPE_RANK ("scope") " DESC LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_data = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read master data"));
      return FALSE;
    }
  return TRUE;
}

/* Sets @sku's price and member price to what applies at @now_us: the price
 * row of the most specific scope with the latest effective_from_us not after
 * now, else the item's list price. Products HQ does not send are left alone. */
static gboolean
reprice_sku (TillStore *store, const char *sku, gint64 now_us, gint64 *n_changed, GError **error)
{
  g_autoptr (TillStmt) item_stmt = NULL;
  g_autoptr (TillStmt) price_stmt = NULL;
  g_autoptr (TillStmt) update_stmt = NULL;
  gint64 product_id;
  gint64 price;
  gint64 member_price;
  int    rc;

  item_stmt = till_store_prepare (
      store,
      "SELECT p.id, json_extract (m.data, '$.price'), json_extract (m.data, '$.member_price') "
      "FROM product p JOIN master_row m ON m.channel = 'items' AND m.id = p.sku "
      "WHERE p.sku = ? ORDER BY " SCOPE_RANK ("m.scope") " DESC LIMIT 1",
      error);
  if (item_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (item_stmt, 1, sku, -1, SQLITE_STATIC);
  rc = sqlite3_step (item_stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read an item's price"));
      return FALSE;
    }
  product_id = sqlite3_column_int64 (item_stmt, 0);
  price = sqlite3_column_int64 (item_stmt, 1);
  member_price = sqlite3_column_int64 (item_stmt, 2);

  /* Price rows are keyed "<sku>@<effective_from_us>": the key range finds a
   * SKU's rows through the primary key; the sku member makes it exact. */
  price_stmt = till_store_prepare (
      store,
      "SELECT json_extract (data, '$.price'), json_extract (data, '$.member_price') "
      "FROM master_row WHERE channel = 'prices' AND id > ?1 || '@' AND id < ?1 || 'A' "
      "AND json_extract (data, '$.sku') = ?1 "
      "AND json_extract (data, '$.effective_from_us') <= ?2 "
      "AND " SCOPE_RANK (
          "scope") " >= 0 "
                   "ORDER BY " SCOPE_RANK (
                       "scope") " DESC, json_extract (data, '$.effective_from_us') DESC "
                                "LIMIT 1",
      error);
  if (price_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (price_stmt, 1, sku, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (price_stmt, 2, now_us);
  rc = sqlite3_step (price_stmt);
  if (rc == SQLITE_ROW)
    {
      price = sqlite3_column_int64 (price_stmt, 0);
      member_price = sqlite3_column_int64 (price_stmt, 1);
    }
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read an item's price"));
      return FALSE;
    }

  update_stmt = till_store_prepare (store,
                                    "UPDATE product SET price = ?2, member_price = ?3 "
                                    "WHERE id = ?1 AND (price != ?2 OR member_price != ?3)",
                                    error);
  if (update_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (update_stmt, 1, product_id);
  sqlite3_bind_int64 (update_stmt, 2, MAX (price, 0));
  sqlite3_bind_int64 (update_stmt, 3, MAX (member_price, 0));
  if (!till_store_step_done (store, update_stmt, error))
    return FALSE;
  if (n_changed != NULL)
    *n_changed += sqlite3_changes (till_store_get_db (store));
  return TRUE;
}

static gboolean
materialize_category (TillStore *store, const char *code, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autofree char *data = NULL;

  if (!get_effective_data (store, "categories", code, &data, error))
    return FALSE;
  /* A category HQ dropped stays: products and sales may still name it. */
  if (data == NULL)
    return TRUE;
  stmt = till_store_prepare (store,
                             "INSERT INTO category (code, name, sort_order) VALUES "
                             "(?1, json_extract (?2, '$.name'), "
                             "coalesce (json_extract (?2, '$.sort_order'), 0)) "
                             "ON CONFLICT (code) WHERE code IS NOT NULL DO UPDATE SET "
                             "name = excluded.name, sort_order = excluded.sort_order",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, data, -1, SQLITE_STATIC);
  return till_store_step_done (store, stmt, error);
}

/* Links every HQ category to its parent by code, once all of a page are in:
 * a child may come before its parent. */
static gboolean
link_category_parents (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (
      store,
      "UPDATE category SET parent_id = (SELECT p.id FROM category p WHERE p.code = "
      " (SELECT json_extract (m.data, '$.parent') FROM master_row m "
      "  WHERE m.channel = 'categories' AND m.id = category.code "
      "  ORDER BY " SCOPE_RANK (
          "m.scope") " DESC LIMIT 1) AND p.id != category.id) "
                     "WHERE code IN (SELECT id FROM master_row WHERE channel = 'categories')",
      error);
  return stmt != NULL && till_store_step_done (store, stmt, error);
}

static gboolean
materialize_item (TillStore *store, const char *sku, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) plu_stmt = NULL;
  g_autoptr (TillStmt) upsert_stmt = NULL;
  g_autoptr (TillStmt) clear_stmt = NULL;
  g_autoptr (TillStmt) barcode_stmt = NULL;
  g_auto (ItemFields) item = { 0 };
  g_autofree char *data = NULL;
  g_autofree char *why = NULL;
  g_autofree char *pinyin = NULL;
  gint64           product_id;

  if (!get_effective_data (store, "items", sku, &data, error))
    return FALSE;
  if (data == NULL)
    {
      /* Never deleted: sales and held carts refer to the product. */
      g_autoptr (TillStmt) stmt =
          till_store_prepare (store, "UPDATE product SET active = 0 WHERE sku = ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, sku, -1, SQLITE_STATIC);
      return till_store_step_done (store, stmt, error);
    }

  if (!read_item (store, data, &item, &why, error))
    return FALSE;
  if (why != NULL)
    return set_row_error (error, "items", sku, why);
  pinyin = till_pinyin_initials (item.name);

  /* A PLU moves with HQ: whoever held it before lets it go. */
  if (item.plu != NULL)
    {
      plu_stmt = till_store_prepare (
          store, "UPDATE product SET plu = NULL WHERE plu = ? AND sku != ?", error);
      if (plu_stmt == NULL)
        return FALSE;
      sqlite3_bind_text (plu_stmt, 1, item.plu, -1, SQLITE_STATIC);
      sqlite3_bind_text (plu_stmt, 2, sku, -1, SQLITE_STATIC);
      if (!till_store_step_done (store, plu_stmt, error))
        return FALSE;
    }

  /* The price of a new product starts at the list price; reprice_sku() then
   * sets what applies now, for new and known products alike. */
  upsert_stmt = till_store_prepare (
      store,
      "INSERT INTO product (sku, name, short_name, pinyin, plu, brand, unit, category_id, "
      " price, member_price, cost, vat_rate, weighed, active) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT id FROM category WHERE code = ?8), "
      " ?9, ?10, ?11, ?12, ?13, ?14) "
      "ON CONFLICT (sku) DO UPDATE SET name = excluded.name, short_name = excluded.short_name, "
      " pinyin = excluded.pinyin, plu = excluded.plu, brand = excluded.brand, "
      " unit = excluded.unit, category_id = excluded.category_id, cost = excluded.cost, "
      " vat_rate = excluded.vat_rate, weighed = excluded.weighed, active = excluded.active "
      "RETURNING id",
      error);
  if (upsert_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (upsert_stmt, 1, sku, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 2, item.name, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 3, item.short_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 4, pinyin, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 5, item.plu, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 6, item.brand, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 7, item.unit, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert_stmt, 8, item.category, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (upsert_stmt, 9, item.price);
  sqlite3_bind_int64 (upsert_stmt, 10, item.member_price);
  sqlite3_bind_int64 (upsert_stmt, 11, item.cost);
  sqlite3_bind_int64 (upsert_stmt, 12, item.vat_rate);
  sqlite3_bind_int (upsert_stmt, 13, item.weighed ? 1 : 0);
  sqlite3_bind_int (upsert_stmt, 14, item.active ? 1 : 0);
  if (sqlite3_step (upsert_stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot save an item from HQ"));
      return FALSE;
    }
  product_id = sqlite3_column_int64 (upsert_stmt, 0);
  /* RETURNING rows are all produced by the first step; finish the statement. */
  if (sqlite3_step (upsert_stmt) != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot save an item from HQ"));
      return FALSE;
    }

  /* The barcodes are HQ's list; a code another product held moves here. */
  clear_stmt = till_store_prepare (store, "DELETE FROM barcode WHERE product_id = ?", error);
  if (clear_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (clear_stmt, 1, product_id);
  if (!till_store_step_done (store, clear_stmt, error))
    return FALSE;
  barcode_stmt = till_store_prepare (
      store,
      "INSERT INTO barcode (code, product_id) SELECT value, ?2 FROM json_each (?1, '$.barcodes') "
      "WHERE type = 'text' AND value != '' "
      "ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id",
      error);
  if (barcode_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (barcode_stmt, 1, data, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (barcode_stmt, 2, product_id);
  if (!till_store_step_done (store, barcode_stmt, error))
    return FALSE;

  return reprice_sku (store, sku, now_us, NULL, error);
}

static gboolean
materialize_user (TillStore *store, const char *code, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_auto (UserFields) user = { 0 };
  g_autofree char *data = NULL;
  g_autofree char *why = NULL;
  gsize            salt_len;
  gsize            hash_len;
  gconstpointer    salt;
  gconstpointer    hash;

  if (!get_effective_data (store, "users", code, &data, error))
    return FALSE;
  if (data == NULL)
    {
      stmt = till_store_prepare (store, "UPDATE user SET active = 0 WHERE code = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
      return till_store_step_done (store, stmt, error);
    }

  if (!read_user (store, data, &user, &why, error))
    return FALSE;
  if (why != NULL)
    return set_row_error (error, "users", code, why);

  /* The wrong-PIN count and lockout are the till's own: a pull does not
   * reset them. */
  stmt = till_store_prepare (
      store,
      "INSERT INTO user (code, name, role, pin_salt, pin_hash, active, max_line_discount_bp, "
      " max_price_override, max_refund) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (code) DO UPDATE SET name = excluded.name, role = excluded.role, "
      " pin_salt = excluded.pin_salt, pin_hash = excluded.pin_hash, active = excluded.active, "
      " max_line_discount_bp = excluded.max_line_discount_bp, "
      " max_price_override = excluded.max_price_override, max_refund = excluded.max_refund",
      error);
  if (stmt == NULL)
    return FALSE;
  salt = g_bytes_get_data (user.pin_salt, &salt_len);
  hash = g_bytes_get_data (user.pin_hash, &hash_len);
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, user.name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, user.role, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, salt, (int) salt_len, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 5, hash, (int) hash_len, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, user.active ? 1 : 0);
  if (user.has_line_discount)
    sqlite3_bind_int64 (stmt, 7, user.max_line_discount_bp);
  if (user.has_price_override)
    sqlite3_bind_int64 (stmt, 8, user.max_price_override);
  if (user.has_refund)
    sqlite3_bind_int64 (stmt, 9, user.max_refund);
  return till_store_step_done (store, stmt, error);
}

/* Writes the setting @key as its most specific row says, or deletes it when
 * HQ holds no row for it any more (only keys HQ had set get here). */
static gboolean
materialize_setting (TillStore *store, const char *key, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT json_extract (data, '$.value') FROM master_row "
                             "WHERE channel = 'settings' AND id = ? "
                             "ORDER BY " SCOPE_RANK ("scope") " DESC LIMIT 1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));

      till_stmt_release (stmt);
      return till_store_set_setting (store, key, value != NULL ? value : "", error);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read a setting from HQ"));
      return FALSE;
    }
  till_stmt_release (stmt);

  {
    g_autoptr (TillStmt) delete_stmt =
        till_store_prepare (store, "DELETE FROM setting WHERE key = ?", error);

    if (delete_stmt == NULL)
      return FALSE;
    sqlite3_bind_text (delete_stmt, 1, key, -1, SQLITE_STATIC);
    return till_store_step_done (store, delete_stmt, error);
  }
}

static gboolean leave_other_groups (TillStore *store, gint64 now_us, GError **error);

/* Brings the till's own tables in line with master_row for the @ids of
 * @channel (for prices: the SKUs whose price rows changed). */
static gboolean
materialize (TillStore *store, const char *channel, GPtrArray *ids, gint64 now_us, GError **error)
{
  if (strcmp (channel, "categories") == 0)
    {
      for (guint i = 0; i < ids->len; i++)
        if (!materialize_category (store, ids->pdata[i], error))
          return FALSE;
      return ids->len == 0 || link_category_parents (store, error);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = ids->pdata[i];
      gboolean    ok = TRUE;

      if (strcmp (channel, "items") == 0)
        ok = materialize_item (store, id, now_us, error);
      else if (strcmp (channel, "prices") == 0)
        ok = reprice_sku (store, id, now_us, NULL, error);
      else if (strcmp (channel, "users") == 0)
        ok = materialize_user (store, id, error);
      else if (strcmp (channel, "settings") == 0)
        ok = materialize_setting (store, id, error) &&
             (strcmp (id, STORE_GROUP_SETTING) != 0 || leave_other_groups (store, now_us, error));
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Adds @id to @ids once (@seen is the set of what is in it). */
static void
add_id (GPtrArray *ids, GHashTable *seen, const char *id)
{
  char *copy;

  if (id == NULL || g_hash_table_contains (seen, id))
    return;
  copy = g_strdup (id);
  g_hash_table_add (seen, copy);
  g_ptr_array_add (ids, copy);
}

/* Reads one text column of every row @sql gives for @channel into @ids. */
static gboolean
collect_ids (TillStore  *store,
             const char *sql,
             const char *channel,
             GPtrArray  *ids,
             GHashTable *seen,
             GError    **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_id (ids, seen, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read master data"));
      return FALSE;
    }
  return TRUE;
}

/* Drops the rows of every group but the one HQ names in store.group, from
 * master_row and from a reload under way, and materializes what they set
 * again: after a move, HQ's pull sends the new group's rows and never a
 * tombstone for the old group's, which would otherwise stay in force. The
 * new group's rows older than the cursors arrive through the drift check:
 * without the old group's rows, the till holds fewer rows than HQ counts
 * for it wherever the new group has any. Nothing is dropped while HQ has
 * not named a group (an HQ from before store.group). */
static gboolean
leave_other_groups (TillStore *store, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) delete_stmt = NULL;
  g_autoptr (TillStmt) shadow_stmt = NULL;
  g_autofree char *group_id = till_store_get_setting (store, STORE_GROUP_SETTING);
  g_autofree char *keep_scope = NULL;
  GPtrArray       *left[G_N_ELEMENTS (channels)] = { NULL };
  GHashTable      *seen[G_N_ELEMENTS (channels)] = { NULL };
  guint            n_left = 0;
  gboolean         ok = FALSE;
  int              rc;

  if (group_id == NULL)
    return TRUE;
  if (*group_id != '\0')
    keep_scope = g_strconcat ("group:", group_id, NULL);
  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    {
      left[c] = g_ptr_array_new ();
      seen[c] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  /* A NULL keep_scope (no group) keeps none: "scope IS NOT NULL". */
  delete_stmt = till_store_prepare (store,
                                    "DELETE FROM master_row WHERE substr (scope, 1, 6) = 'group:' "
                                    "AND scope IS NOT ?1 "
                                    "RETURNING channel, id, json_extract (data, '$.sku')",
                                    error);
  if (delete_stmt == NULL)
    goto out;
  if (keep_scope != NULL)
    sqlite3_bind_text (delete_stmt, 1, keep_scope, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (delete_stmt)) == SQLITE_ROW)
    {
      const char *channel = (const char *) sqlite3_column_text (delete_stmt, 0);

      for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
        if (g_strcmp0 (channel, channels[c]) == 0)
          {
            /* For prices what is materialized again is the SKU. */
            add_id (left[c], seen[c],
                    (const char *) sqlite3_column_text (delete_stmt,
                                                        strcmp (channel, "prices") == 0 ? 2 : 1));
            n_left++;
          }
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot drop the master data of another group"));
      goto out;
    }
  till_stmt_release (g_steal_pointer (&delete_stmt));

  shadow_stmt = till_store_prepare (store,
                                    "DELETE FROM master_shadow WHERE substr (scope, 1, 6) = "
                                    "'group:' AND scope IS NOT ?1",
                                    error);
  if (shadow_stmt == NULL)
    goto out;
  if (keep_scope != NULL)
    sqlite3_bind_text (shadow_stmt, 1, keep_scope, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, shadow_stmt, error))
    goto out;
  till_stmt_release (g_steal_pointer (&shadow_stmt));

  if (n_left > 0)
    g_message ("The store is in group “%s” now: %u rows of other groups dropped", group_id, n_left);
  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    {
      /* Settings through materialize_setting(), not materialize(), which
       * would come back here: store.group is HQ's store-scoped row, which
       * dropping group rows leaves as it is. */
      if (strcmp (channels[c], "settings") == 0)
        {
          for (guint i = 0; i < left[c]->len; i++)
            if (!materialize_setting (store, left[c]->pdata[i], error))
              goto out;
        }
      else if (!materialize (store, channels[c], left[c], now_us, error))
        goto out;
    }
  ok = TRUE;

out:
  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    {
      g_ptr_array_unref (left[c]);
      g_hash_table_unref (seen[c]);
    }
  return ok;
}

/* Writes one row into @table (master_row or master_shadow) if it is newer
 * than the one held, or deletes for a tombstone. *out_touched says whether
 * anything changed; *out_price_sku names the SKU a price row was about. */
static gboolean
store_row (TillStore           *store,
           const char          *channel,
           const TillMasterRow *row,
           gboolean             shadow,
           gboolean            *out_touched,
           char               **out_price_sku,
           GError             **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  *out_touched = FALSE;
  *out_price_sku = NULL;
  if (row->data_json == NULL)
    {
      stmt = till_store_prepare (store,
                                 shadow ? "DELETE FROM master_shadow WHERE channel = ? AND id = ? "
                                          "AND scope = ? AND version < ? "
                                          "RETURNING json_extract (data, '$.sku')"
                                        : "DELETE FROM master_row WHERE channel = ? AND id = ? "
                                          "AND scope = ? AND version < ? "
                                          "RETURNING json_extract (data, '$.sku')",
                                 error);
    }
  else
    {
      stmt = till_store_prepare (
          store,
          shadow ? "INSERT INTO master_shadow (channel, id, scope, version, data) "
                   "VALUES (?, ?, ?, ?, json (?5)) ON CONFLICT (channel, id, scope) DO UPDATE "
                   "SET version = excluded.version, data = excluded.data "
                   "WHERE excluded.version > master_shadow.version "
                   "RETURNING json_extract (data, '$.sku')"
                 : "INSERT INTO master_row (channel, id, scope, version, data) "
                   "VALUES (?, ?, ?, ?, json (?5)) ON CONFLICT (channel, id, scope) DO UPDATE "
                   "SET version = excluded.version, data = excluded.data "
                   "WHERE excluded.version > master_row.version "
                   "RETURNING json_extract (data, '$.sku')",
          error);
    }
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row->scope, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, row->version);
  if (row->data_json != NULL)
    sqlite3_bind_text (stmt, 5, row->data_json, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      *out_touched = TRUE;
      if (*out_price_sku == NULL && sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
        *out_price_sku = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (out_price_sku, g_free);
      till_store_set_error (store, error, _ ("Cannot save master data from HQ"));
      return FALSE;
    }
  return TRUE;
}

/* The last page of a reload: the shadow copy becomes the channel. What HQ no
 * longer sends goes the way of a tombstone (items and users inactive,
 * settings deleted); everything else is materialized again. */
static gboolean
swap_in_shadow (TillStore *store, const char *channel, gint64 now_us, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (TillStmt) delete_stmt = NULL;
  g_autoptr (TillStmt) copy_stmt = NULL;
  g_autoptr (TillStmt) clear_stmt = NULL;
  gboolean prices = strcmp (channel, "prices") == 0;

  /* For prices the ids that matter are SKUs: every HQ item is priced again. */
  if (prices)
    {
      if (!collect_ids (store, "SELECT DISTINCT id FROM master_row WHERE channel = ?", "items", ids,
                        seen, error))
        return FALSE;
    }
  else if (!collect_ids (store,
                         "SELECT id FROM master_row WHERE channel = ?1 AND id NOT IN "
                         "(SELECT id FROM master_shadow WHERE channel = ?1)",
                         channel, ids, seen, error))
    return FALSE;

  delete_stmt = till_store_prepare (store, "DELETE FROM master_row WHERE channel = ?", error);
  if (delete_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (delete_stmt, 1, channel, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, delete_stmt, error))
    return FALSE;
  copy_stmt = till_store_prepare (store,
                                  "INSERT INTO master_row (channel, id, scope, version, data) "
                                  "SELECT channel, id, scope, version, data FROM master_shadow "
                                  "WHERE channel = ?",
                                  error);
  if (copy_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (copy_stmt, 1, channel, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, copy_stmt, error))
    return FALSE;
  clear_stmt = till_store_prepare (store, "DELETE FROM master_shadow WHERE channel = ?", error);
  if (clear_stmt == NULL)
    return FALSE;
  sqlite3_bind_text (clear_stmt, 1, channel, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, clear_stmt, error))
    return FALSE;

  if (!prices && !collect_ids (store, "SELECT DISTINCT id FROM master_row WHERE channel = ?",
                               channel, ids, seen, error))
    return FALSE;
  return materialize (store, channel, ids, now_us, error);
}

static gboolean
set_cursor (TillStore  *store,
            const char *channel,
            gint64      cursor,
            gboolean    reloading,
            gint64      now_us,
            GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO sync_cursor (channel, cursor, reloading, updated_us) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET "
                             "cursor = excluded.cursor, reloading = excluded.reloading, "
                             "updated_us = excluded.updated_us",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, cursor);
  sqlite3_bind_int (stmt, 3, reloading ? 1 : 0);
  sqlite3_bind_int64 (stmt, 4, now_us);
  return till_store_step_done (store, stmt, error);
}

static gboolean
apply_page_in_transaction (TillStore           *store,
                           const char          *channel,
                           const TillMasterRow *rows,
                           guint                n_rows,
                           gint64               next_cursor,
                           gboolean             has_more,
                           gint64               total,
                           gint64               now_us,
                           gboolean            *out_drift,
                           GError             **error)
{
  g_autoptr (GPtrArray) touched = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean reloading = till_master_data_is_reloading (store, channel);
  gboolean prices = strcmp (channel, "prices") == 0;

  /* Every row is checked before any is written: a page applies whole or not
   * at all. */
  for (guint i = 0; i < n_rows; i++)
    if (!check_row (store, channel, &rows[i], error))
      return FALSE;

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *price_sku = NULL;
      gboolean         changed;

      if (!store_row (store, channel, &rows[i], reloading, &changed, &price_sku, error))
        return FALSE;
      if (!changed || reloading)
        continue;
      /* A price row's id is "<sku>@<from>": its SKU never changes. */
      if (prices)
        add_id (touched, seen, price_sku);
      else
        add_id (touched, seen, rows[i].id);
    }

  if (reloading)
    {
      if (!has_more && !swap_in_shadow (store, channel, now_us, error))
        return FALSE;
    }
  else if (!materialize (store, channel, touched, now_us, error))
    return FALSE;

  if (!set_cursor (store, channel, next_cursor, reloading && has_more, now_us, error))
    return FALSE;

  if (!has_more && total >= 0 && out_drift != NULL)
    {
      g_autoptr (TillStmt) stmt =
          till_store_prepare (store, "SELECT count (*) FROM master_row WHERE channel = ?", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          till_store_set_error (store, error, _ ("Cannot count master data"));
          return FALSE;
        }
      *out_drift = sqlite3_column_int64 (stmt, 0) != total;
      if (*out_drift)
        g_message ("The till holds %" PRId64 " %s rows where HQ has %" PRId64,
                   (gint64) sqlite3_column_int64 (stmt, 0), channel, total);
    }
  return TRUE;
}

/**
 * till_master_data_get_cursor:
 *
 * Returns: the channel's cursor, 0 when never pulled (and on error, with
 *   @error set)
 */
gint64
till_master_data_get_cursor (TillStore *store, const char *channel, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (channel != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!channel_is_known (channel))
    {
      set_channel_error (channel, error);
      return 0;
    }
  stmt = till_store_prepare (store, "SELECT cursor FROM sync_cursor WHERE channel = ?", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, _ ("Cannot read the pull position"));
  return 0;
}

/**
 * till_master_data_is_reloading:
 *
 * Returns: whether a full reload of @channel is under way (its pages go to
 *   the shadow copy)
 */
gboolean
till_master_data_is_reloading (TillStore *store, const char *channel)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);

  stmt = till_store_prepare (store, "SELECT reloading FROM sync_cursor WHERE channel = ?", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

/**
 * till_master_data_begin_reload:
 *
 * Empties the channel's shadow copy and sets its cursor to 0 with the reload
 * flag, in one transaction. The rows in force stay in force until the last
 * page of the reload swaps the new ones in.
 */
gboolean
till_master_data_begin_reload (TillStore *store, const char *channel, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!channel_is_known (channel))
    return set_channel_error (channel, error);
  if (!till_store_begin (store, error))
    return FALSE;
  stmt = till_store_prepare (store, "DELETE FROM master_shadow WHERE channel = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error) ||
      !set_cursor (store, channel, 0, TRUE, g_get_real_time (), error))
    goto failed;
  till_stmt_release (g_steal_pointer (&stmt));
  return till_store_commit (store, error);

failed:
  till_store_rollback (store);
  return FALSE;
}

/**
 * till_master_data_apply_page:
 * @channel: "categories", "items", "prices", "users", "settings",
 *   "promotions" or "members"
 * @rows: (array length=n_rows): the page's rows and tombstones
 * @next_cursor: the cursor after this page
 * @has_more: whether HQ has more pages now
 * @total: on the last page, how many rows HQ holds for this till (-1: not
 *   given)
 * @now_us: the time prices are chosen for
 * @out_drift: (out) (optional): TRUE when the rows held do not number @total
 *
 * See the header. Runs in one transaction of its own.
 */
gboolean
till_master_data_apply_page (TillStore           *store,
                             const char          *channel,
                             const TillMasterRow *rows,
                             guint                n_rows,
                             gint64               next_cursor,
                             gboolean             has_more,
                             gint64               total,
                             gint64               now_us,
                             gboolean            *out_drift,
                             GError             **error)
{
  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_drift != NULL)
    *out_drift = FALSE;
  if (!channel_is_known (channel))
    return set_channel_error (channel, error);

  if (!till_store_begin (store, error))
    return FALSE;
  if (!apply_page_in_transaction (store, channel, rows, n_rows, next_cursor, has_more, total,
                                  now_us, out_drift, error))
    {
      till_store_rollback (store);
      if (out_drift != NULL)
        *out_drift = FALSE;
      return FALSE;
    }
  return till_store_commit (store, error);
}

/**
 * till_master_data_apply_prices:
 * @now_us: the instant prices are chosen for
 * @out_next_change_us: (out) (optional): the next instant a price row takes
 *   effect, %G_MAXINT64 when none is scheduled
 *
 * Runs in one transaction of its own (or the caller's).
 *
 * Returns: how many products changed price, or -1 with @error set
 */
gint64
till_master_data_apply_prices (TillStore *store,
                               gint64     now_us,
                               gint64    *out_next_change_us,
                               GError   **error)
{
  g_autoptr (GPtrArray) skus = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (TillStmt) next_stmt = NULL;
  gint64   n_changed = 0;
  gint64   next_change = G_MAXINT64;
  gboolean own;

  g_return_val_if_fail (TILL_IS_STORE (store), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  own = !till_store_in_transaction (store);
  if (own && !till_store_begin (store, error))
    return -1;

  if (!collect_ids (store, "SELECT DISTINCT id FROM master_row WHERE channel = ?", "items", skus,
                    seen, error))
    goto failed;
  for (guint i = 0; i < skus->len; i++)
    if (!reprice_sku (store, skus->pdata[i], now_us, &n_changed, error))
      goto failed;

  next_stmt = till_store_prepare (store,
                                  "SELECT min (json_extract (data, '$.effective_from_us')) "
                                  "FROM master_row WHERE channel = 'prices' "
                                  "AND json_extract (data, '$.effective_from_us') > ?",
                                  error);
  if (next_stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (next_stmt, 1, now_us);
  if (sqlite3_step (next_stmt) != SQLITE_ROW)
    {
      till_store_set_error (store, error, _ ("Cannot read the price schedule"));
      goto failed;
    }
  if (sqlite3_column_type (next_stmt, 0) != SQLITE_NULL)
    next_change = sqlite3_column_int64 (next_stmt, 0);
  till_stmt_release (g_steal_pointer (&next_stmt));

  if (own && !till_store_commit (store, error))
    return -1;
  if (out_next_change_us != NULL)
    *out_next_change_us = next_change;
  return n_changed;

failed:
  if (own)
    till_store_rollback (store);
  return -1;
}
