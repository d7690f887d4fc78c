/* till-product-admin.c: managing the catalog at the till, and importing and
 * exporting it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-product-admin"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "till-barcode.h"
#include "till-cart.h"
#include "till-journal.h"
#include "till-money.h"
#include "till-permission.h"
#include "till-pinyin.h"
#include "till-product-admin.h"
#include "till-store.h"
#include "till-user.h"

/* Prices, member prices and costs stay below ¥10,000,000: more is a slip of
 * the finger (or of a spreadsheet column). */
#define MAX_PRICE_FEN G_GINT64_CONSTANT (1000000000)
#define MAX_SKU_CHARS 64
#define MAX_NAME_CHARS 128
#define MAX_SHORT_TEXT_CHARS 32 /* unit, brand */
#define MAX_PLU_CHARS 16
#define MAX_CATEGORY_CHARS 64
/* Codes that are not EAN/UPC (store codes, Code 128) must be this long. */
#define MIN_OTHER_BARCODE 4
#define MAX_OTHER_BARCODE 32
/* A category path deeper than this is bad data (or a cycle). */
#define MAX_CATEGORY_DEPTH 16
#define DEFAULT_UNIT "个"

G_DEFINE_QUARK (till_product_admin_error_quark, till_product_admin_error)

/* A product's row as stored, owning its strings. */
typedef struct
{
  gint64   id;
  char    *sku;
  char    *name;
  char    *short_name;
  char    *plu;
  char    *brand;
  char    *unit;
  gint64   category_id;
  gint64   price;
  gint64   member_price;
  gint64   cost;
  int      vat_rate;
  gboolean weighed;
  gboolean active;
} ProductRecord;

static void
product_record_free (ProductRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->sku);
  g_free (record->name);
  g_free (record->short_name);
  g_free (record->plu);
  g_free (record->brand);
  g_free (record->unit);
  g_free (record);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProductRecord, product_record_free)

/* NULL for NULL and "": the columns store "none" as NULL. */
static char *
dup_or_null (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

static ProductRecord *
product_record_from_spec (gint64 id, const TillProductSpec *spec)
{
  ProductRecord *record = g_new0 (ProductRecord, 1);

  record->id = id;
  record->sku = g_strdup (spec->sku != NULL ? spec->sku : "");
  record->name = g_strdup (spec->name != NULL ? spec->name : "");
  record->short_name = dup_or_null (spec->short_name);
  record->plu = dup_or_null (spec->plu);
  record->brand = dup_or_null (spec->brand);
  record->unit = g_strdup (spec->unit != NULL && *spec->unit != '\0' ? spec->unit : DEFAULT_UNIT);
  record->category_id = spec->category_id;
  record->price = spec->price;
  record->member_price = spec->member_price;
  record->cost = spec->cost;
  record->vat_rate = spec->vat_rate;
  record->weighed = spec->weighed;
  record->active = spec->active;
  return record;
}

static ProductRecord *
product_record_copy (const ProductRecord *record)
{
  ProductRecord *copy = g_memdup2 (record, sizeof *record);

  copy->sku = g_strdup (record->sku);
  copy->name = g_strdup (record->name);
  copy->short_name = g_strdup (record->short_name);
  copy->plu = g_strdup (record->plu);
  copy->brand = g_strdup (record->brand);
  copy->unit = g_strdup (record->unit);
  return copy;
}

#define RECORD_COLUMNS                                                                            \
  "id, sku, name, short_name, plu, brand, unit, coalesce (category_id, 0), price, member_price, " \
  "cost, vat_rate, weighed, active"

static ProductRecord *
product_record_from_row (sqlite3_stmt *stmt)
{
  ProductRecord *record = g_new0 (ProductRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->sku = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  record->name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  record->short_name = dup_or_null ((const char *) sqlite3_column_text (stmt, 3));
  record->plu = dup_or_null ((const char *) sqlite3_column_text (stmt, 4));
  record->brand = dup_or_null ((const char *) sqlite3_column_text (stmt, 5));
  record->unit = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  record->category_id = sqlite3_column_int64 (stmt, 7);
  record->price = sqlite3_column_int64 (stmt, 8);
  record->member_price = sqlite3_column_int64 (stmt, 9);
  record->cost = sqlite3_column_int64 (stmt, 10);
  record->vat_rate = sqlite3_column_int (stmt, 11);
  record->weighed = sqlite3_column_int (stmt, 12) != 0;
  record->active = sqlite3_column_int (stmt, 13) != 0;
  return record;
}

/* The product with @id, or with @sku when @sku is not NULL. Returns 1 with
 * *out_record set, 0 when there is none, -1 with @error set. */
static int
load_record (
    TillStore *store, gint64 id, const char *sku, ProductRecord **out_record, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  *out_record = NULL;
  stmt = till_store_prepare (store,
                             sku != NULL ? "SELECT " RECORD_COLUMNS " FROM product WHERE sku = ?"
                                         : "SELECT " RECORD_COLUMNS " FROM product WHERE id = ?",
                             error);
  if (stmt == NULL)
    return -1;
  if (sku != NULL)
    sqlite3_bind_text (stmt, 1, sku, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_record = product_record_from_row (stmt);
      return 1;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading a product failed"));
      return -1;
    }
  return 0;
}

static ProductRecord *
load_record_by_id (TillStore *store, gint64 id, GError **error)
{
  ProductRecord *record = NULL;
  int            found = load_record (store, id, NULL, &record, error);

  if (found == 0)
    g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND,
                 _ ("There is no product with id %" PRId64), id);
  return record;
}

/* --- Checking fields --------------------------------------------------------- */

static gboolean invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
check_text (const char *text, const char *what, guint max_chars, gboolean required, GError **error)
{
  if (text == NULL || *text == '\0')
    return !required || invalid (error, _ ("The %s is missing"), what);
  if (!g_utf8_validate (text, -1, NULL))
    return invalid (error, _ ("The %s is not valid text"), what);
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return invalid (error, _ ("The %s holds a control character"), what);
  if (g_utf8_strlen (text, -1) > max_chars)
    return invalid (error, _ ("The %1$s is longer than %2$u characters"), what, max_chars);
  return TRUE;
}

static gboolean
check_sku (const char *sku, GError **error)
{
  return check_text (sku, _ ("SKU"), MAX_SKU_CHARS, TRUE, error);
}

static gboolean
check_name (const char *name, GError **error)
{
  return check_text (name, _ ("name"), MAX_NAME_CHARS, TRUE, error);
}

static gboolean
check_amount (gint64 fen, const char *what, GError **error)
{
  if (fen < 0 || fen >= MAX_PRICE_FEN)
    return invalid (error, _ ("The %s must be at least 0 and below 10000000 yuan"), what);
  return TRUE;
}

static gboolean
check_vat (int vat_rate, GError **error)
{
  if (vat_rate < 0 || vat_rate > 10000)
    return invalid (error, _ ("The VAT rate must be between 0 and 100 percent"));
  return TRUE;
}

static gboolean
check_plu (const char *plu, GError **error)
{
  if (plu == NULL || *plu == '\0')
    return TRUE;
  if (strlen (plu) > MAX_PLU_CHARS)
    return invalid (error, _ ("A PLU has at most %d letters and digits"), MAX_PLU_CHARS);
  for (const char *p = plu; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return invalid (error, _ ("A PLU has only letters and digits: “%s”"), plu);
  return TRUE;
}

/* An EAN-13, EAN-8 or UPC-A with its right check digit, or another code
 * (store codes, Code 128) of 4 to 32 printable ASCII characters. */
static gboolean
check_barcode (const char *code, GError **error)
{
  TillBarcodeKind kind = till_barcode_classify (code);
  gsize           length = strlen (code);

  if (kind == TILL_BARCODE_BAD_CHECK)
    return invalid (error, _ ("Barcode %s is not valid (wrong check digit)"), code);
  if (kind == TILL_BARCODE_OTHER && length >= MIN_OTHER_BARCODE && length <= MAX_OTHER_BARCODE)
    {
      for (const char *p = code; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
          kind = TILL_BARCODE_INVALID;
    }
  else if (kind == TILL_BARCODE_OTHER)
    kind = TILL_BARCODE_INVALID;
  if (kind == TILL_BARCODE_INVALID)
    {
      g_autofree char *printable = g_strescape (code, NULL);

      return invalid (error,
                      _ ("“%s” is not a barcode (an EAN or UPC, or 4 to 32 letters and digits)"),
                      printable);
    }
  return TRUE;
}

/* The same code in its other form, as the catalog finds it: a UPC-A and the
 * EAN-13 with a leading 0. NULL when it has none. */
static char *
barcode_twin (const char *code)
{
  TillBarcodeKind kind = till_barcode_classify (code);

  if (kind == TILL_BARCODE_UPCA)
    return g_strconcat ("0", code, NULL);
  if (kind == TILL_BARCODE_EAN13 && code[0] == '0')
    return g_strdup (code + 1);
  return NULL;
}

/* The UPC-A/EAN-13 pair as one key, for finding a code twice in a file. */
static char *
barcode_key (const char *code)
{
  if (till_barcode_classify (code) == TILL_BARCODE_UPCA)
    return g_strconcat ("0", code, NULL);
  return g_strdup (code);
}

static gboolean
check_barcode_list (const char *const *barcodes, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; barcodes != NULL && barcodes[i] != NULL; i++)
    {
      char *key;

      if (!check_barcode (barcodes[i], error))
        return FALSE;
      key = barcode_key (barcodes[i]);
      if (!g_hash_table_add (seen, key))
        return invalid (error, _ ("Barcode %s is listed twice"), barcodes[i]);
    }
  return TRUE;
}

static gboolean
category_exists (TillStore *store, gint64 category_id, gboolean *out_exists, GError **error)
{
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT 1 FROM category WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, category_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the categories failed"));
      return FALSE;
    }
  *out_exists = rc == SQLITE_ROW;
  return TRUE;
}

/* Every field of @record in range, and its category there. */
static gboolean
validate_record (TillStore *store, const ProductRecord *record, GError **error)
{
  gboolean exists = TRUE;

  if (!check_sku (record->sku, error) || !check_name (record->name, error) ||
      !check_text (record->short_name, _ ("short name"), MAX_NAME_CHARS, FALSE, error) ||
      !check_text (record->unit, _ ("unit"), MAX_SHORT_TEXT_CHARS, TRUE, error) ||
      !check_text (record->brand, _ ("brand"), MAX_NAME_CHARS, FALSE, error) ||
      !check_amount (record->price, _ ("price"), error) ||
      !check_amount (record->member_price, _ ("member price"), error) ||
      !check_amount (record->cost, _ ("cost"), error) || !check_vat (record->vat_rate, error) ||
      !check_plu (record->plu, error))
    return FALSE;
  if (record->category_id != 0 && !category_exists (store, record->category_id, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND,
                   _ ("There is no category %" PRId64), record->category_id);
      return FALSE;
    }
  return TRUE;
}

/* --- Uniqueness ---------------------------------------------------------------- */

/* Another product (not @self_id) that has @value in @sql's column: its id
 * (0: none) and, in @out_sku and @out_name, what a person knows it by. */
static gint64
find_owner (TillStore  *store,
            const char *sql,
            const char *value,
            const char *twin,
            gint64      self_id,
            char      **out_sku,
            char      **out_name,
            GError    **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, twin != NULL ? twin : value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, self_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_sku = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      *out_name = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      return sqlite3_column_int64 (stmt, 0);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the catalog failed"));
      return -1;
    }
  return 0;
}

static gboolean
check_sku_free (TillStore *store, const char *sku, gint64 self_id, GError **error)
{
  g_autofree char *other_sku = NULL;
  g_autofree char *other_name = NULL;
  gint64           owner;

  owner = find_owner (store, "SELECT id, sku, name FROM product WHERE sku IN (?1, ?2) AND id <> ?3",
                      sku, NULL, self_id, &other_sku, &other_name, error);
  if (owner > 0)
    g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE,
                 _ ("SKU %1$s is already used by “%2$s”"), sku, other_name);
  return owner == 0;
}

static gboolean
check_plu_free (TillStore *store, const char *plu, gint64 self_id, GError **error)
{
  g_autofree char *other_sku = NULL;
  g_autofree char *other_name = NULL;
  gint64           owner;

  if (plu == NULL)
    return TRUE;
  owner = find_owner (store, "SELECT id, sku, name FROM product WHERE plu IN (?1, ?2) AND id <> ?3",
                      plu, NULL, self_id, &other_sku, &other_name, error);
  if (owner > 0)
    g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE,
                 _ ("PLU %1$s is already used by %2$s “%3$s”"), plu, other_sku, other_name);
  return owner == 0;
}

/* @code (or its UPC-A/EAN-13 twin) on a product other than @self_id. */
static gboolean
check_barcode_free (TillStore *store, const char *code, gint64 self_id, GError **error)
{
  g_autofree char *twin = barcode_twin (code);
  g_autofree char *other_sku = NULL;
  g_autofree char *other_name = NULL;
  gint64           owner;

  owner = find_owner (store,
                      "SELECT p.id, p.sku, p.name FROM barcode b JOIN product p"
                      " ON p.id = b.product_id WHERE b.code IN (?1, ?2) AND p.id <> ?3",
                      code, twin, self_id, &other_sku, &other_name, error);
  if (owner > 0)
    g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE,
                 _ ("Barcode %1$s is already used by %2$s “%3$s”"), code, other_sku, other_name);
  return owner == 0;
}

static gboolean
check_unique (TillStore           *store,
              const ProductRecord *record,
              const char *const   *barcodes,
              GError             **error)
{
  if (!check_sku_free (store, record->sku, record->id, error) ||
      !check_plu_free (store, record->plu, record->id, error))
    return FALSE;
  for (guint i = 0; barcodes != NULL && barcodes[i] != NULL; i++)
    if (!check_barcode_free (store, barcodes[i], record->id, error))
      return FALSE;
  return TRUE;
}

/* --- Writing ------------------------------------------------------------------ */

static void
bind_text_or_null (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text != NULL && *text != '\0')
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* Binds the fields as ?1…?15 of the insert and update statements. */
static void
bind_record (sqlite3_stmt *stmt, const ProductRecord *record, gint64 now_us)
{
  g_autofree char *pinyin = till_pinyin_initials (record->name);

  sqlite3_bind_text (stmt, 1, record->sku, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, record->name, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 3, record->short_name);
  sqlite3_bind_text (stmt, 4, pinyin, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 5, record->plu);
  bind_text_or_null (stmt, 6, record->brand);
  sqlite3_bind_text (stmt, 7, record->unit, -1, SQLITE_TRANSIENT);
  if (record->category_id != 0)
    sqlite3_bind_int64 (stmt, 8, record->category_id);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int64 (stmt, 9, record->price);
  sqlite3_bind_int64 (stmt, 10, record->member_price);
  sqlite3_bind_int64 (stmt, 11, record->cost);
  sqlite3_bind_int (stmt, 12, record->vat_rate);
  sqlite3_bind_int (stmt, 13, record->weighed ? 1 : 0);
  sqlite3_bind_int (stmt, 14, record->active ? 1 : 0);
  sqlite3_bind_int64 (stmt, 15, now_us);
}

/* Inserts @record: its new id, or 0 with @error set. */
static gint64
insert_record (TillStore *store, const ProductRecord *record, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO product (sku, name, short_name, pinyin, plu, brand, unit,"
                             " category_id, price, member_price, cost, vat_rate, weighed, active,"
                             " updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                             " ?12, ?13, ?14, ?15)",
                             error);
  if (stmt == NULL)
    return 0;
  bind_record (stmt, record, now_us);
  if (!till_store_step_done (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (till_store_get_db (store));
}

static gboolean
update_record (TillStore *store, const ProductRecord *record, gint64 now_us, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "UPDATE product SET sku = ?1, name = ?2, short_name = ?3, pinyin = ?4,"
                             " plu = ?5, brand = ?6, unit = ?7, category_id = ?8, price = ?9,"
                             " member_price = ?10, cost = ?11, vat_rate = ?12, weighed = ?13,"
                             " active = ?14, updated_us = ?15 WHERE id = ?16",
                             error);
  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, record, now_us);
  sqlite3_bind_int64 (stmt, 16, record->id);
  return till_store_step_done (store, stmt, error);
}

/* Makes @barcodes the product's codes. */
static gboolean
replace_barcodes (TillStore *store, gint64 product_id, const char *const *barcodes, GError **error)
{
  g_autoptr (TillStmt) remove = NULL;

  remove = till_store_prepare (store, "DELETE FROM barcode WHERE product_id = ?", error);
  if (remove == NULL)
    return FALSE;
  sqlite3_bind_int64 (remove, 1, product_id);
  if (!till_store_step_done (store, remove, error))
    return FALSE;
  for (guint i = 0; barcodes != NULL && barcodes[i] != NULL; i++)
    {
      g_autoptr (TillStmt) insert =
          till_store_prepare (store, "INSERT INTO barcode (code, product_id) VALUES (?, ?)", error);

      if (insert == NULL)
        return FALSE;
      sqlite3_bind_text (insert, 1, barcodes[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 2, product_id);
      if (!till_store_step_done (store, insert, error))
        return FALSE;
    }
  return TRUE;
}

static GPtrArray *
read_barcodes (TillStore *store, gint64 product_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = till_store_prepare (store, "SELECT code FROM barcode WHERE product_id = ? ORDER BY code",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, product_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (codes, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the barcodes failed"));
      return NULL;
    }
  g_ptr_array_add (codes, NULL);
  return g_steal_pointer (&codes);
}

/* --- Journal ------------------------------------------------------------------- */

static void
json_append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
json_add_string_array (GString *out, const char *key, const char *const *values)
{
  if (out->len > 0 && out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_printf (out, "\"%s\":[", key);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_append_string (out, values[i]);
    }
  g_string_append_c (out, ']');
}

static void
json_add_record (GString *out, const ProductRecord *record)
{
  _till_json_add_string (out, "sku", record->sku);
  _till_json_add_string (out, "name", record->name);
  _till_json_add_string (out, "short_name", record->short_name);
  _till_json_add_string (out, "plu", record->plu);
  _till_json_add_string (out, "brand", record->brand);
  _till_json_add_string (out, "unit", record->unit);
  _till_json_add_int (out, "category_id", record->category_id);
  _till_json_add_int (out, "price", record->price);
  _till_json_add_int (out, "member_price", record->member_price);
  _till_json_add_int (out, "cost", record->cost);
  _till_json_add_int (out, "vat_rate", record->vat_rate);
  _till_json_add_int (out, "weighed", record->weighed ? 1 : 0);
  _till_json_add_int (out, "active", record->active ? 1 : 0);
}

static void
change_string (GString *out, guint *n, const char *field, const char *old, const char *new)
{
  if (g_strcmp0 (old, new) == 0)
    return;
  if (out->len > 0 && out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_printf (out, "\"%s\":{", field);
  _till_json_add_string (out, "old", old);
  _till_json_add_string (out, "new", new);
  g_string_append_c (out, '}');
  (*n)++;
}

static void
change_int (GString *out, guint *n, const char *field, gint64 old, gint64 new)
{
  if (old == new)
    return;
  if (out->len > 0 && out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  g_string_append_printf (out, "\"%s\":{", field);
  _till_json_add_int (out, "old", old);
  _till_json_add_int (out, "new", new);
  g_string_append_c (out, '}');
  (*n)++;
}

/* Appends "field":{"old":…,"new":…} for each field that differs; how many. */
static guint
append_changes (GString *out, const ProductRecord *old, const ProductRecord *new)
{
  guint n = 0;

  change_string (out, &n, "sku", old->sku, new->sku);
  change_string (out, &n, "name", old->name, new->name);
  change_string (out, &n, "short_name", old->short_name, new->short_name);
  change_string (out, &n, "plu", old->plu, new->plu);
  change_string (out, &n, "brand", old->brand, new->brand);
  change_string (out, &n, "unit", old->unit, new->unit);
  change_int (out, &n, "category_id", old->category_id, new->category_id);
  change_int (out, &n, "price", old->price, new->price);
  change_int (out, &n, "member_price", old->member_price, new->member_price);
  change_int (out, &n, "cost", old->cost, new->cost);
  change_int (out, &n, "vat_rate", old->vat_rate, new->vat_rate);
  change_int (out, &n, "weighed", old->weighed, new->weighed);
  change_int (out, &n, "active", old->active, new->active);
  return n;
}

static gboolean
strv_same_set (const char *const *a, const char *const *b)
{
  guint n_a = a != NULL ? g_strv_length ((char **) a) : 0;
  guint n_b = b != NULL ? g_strv_length ((char **) b) : 0;

  if (n_a != n_b)
    return FALSE;
  for (guint i = 0; i < n_a; i++)
    if (!g_strv_contains (b, a[i]))
      return FALSE;
  return TRUE;
}

/* A journal body: {"action", the user, then what @fill adds}. */
static GString *
journal_body_new (TillUser *user, const char *action)
{
  GString *body = g_string_new ("{");

  _till_json_add_string (body, "action", action);
  _till_json_add_user (body, user);
  return body;
}

static gboolean
append_journal (TillJournal *journal,
                const char  *kind,
                const char  *ref,
                gint64       now_us,
                GString     *body,
                GError     **error)
{
  g_autoptr (GBytes) bytes = NULL;
  guint8 hash[TILL_JOURNAL_HASH_LEN];
  gint64 seq = 0;

  g_string_append_c (body, '}');
  bytes = g_bytes_new (body->str, body->len);
  return till_journal_append (journal, kind, ref, now_us, bytes, &seq, hash, error);
}

/* Begins the transaction of a change and checks MANAGE_PRODUCTS in it. */
static gboolean
begin_change (TillStore          *store,
              TillJournal        *journal,
              TillUser           *user,
              const TillOverride *override,
              GError            **error)
{
  if (!till_store_begin (store, error))
    return FALSE;
  /* The permission first: someone who may not change products learns that,
   * not what is wrong with the product. */
  if (!till_permission_check (store, journal, user, TILL_PERMISSION_MANAGE_PRODUCTS, 0, override,
                              error))
    {
      till_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static gboolean
end_change (TillStore *store, gboolean ok, GError **error)
{
  if (ok && till_store_commit (store, error))
    return TRUE;
  if (till_store_in_transaction (store))
    till_store_rollback (store);
  return FALSE;
}

/* --- Products ------------------------------------------------------------------ */

/**
 * till_product_admin_create:
 * @spec: the product; a NULL or empty unit is 个
 * @barcodes: (nullable) (array zero-terminated=1): its barcodes
 * @override: (nullable): a supervisor's approval when @user may not
 *
 * Checks %TILL_PERMISSION_MANAGE_PRODUCTS, the fields (%TILL_PRODUCT_ADMIN_ERROR_INVALID
 * naming the field) and that no other product has the SKU, PLU or a barcode
 * (%TILL_PRODUCT_ADMIN_ERROR_DUPLICATE naming it), then adds the product
 * with a "product" journal entry {"action":"create","product":{…},
 * "barcodes":[…]}, in one transaction.
 *
 * Returns: the new product's id, or 0 with @error set
 */
gint64
till_product_admin_create (TillStore             *store,
                           TillJournal           *journal,
                           TillUser              *user,
                           const TillProductSpec *spec,
                           const char *const     *barcodes,
                           const TillOverride    *override,
                           GError               **error)
{
  g_autoptr (ProductRecord) record = NULL;
  g_autoptr (GString) body = NULL;
  gint64   now_us;
  gint64   id = 0;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), 0);
  g_return_val_if_fail (TILL_IS_USER (user), 0);
  g_return_val_if_fail (spec != NULL, 0);
  g_return_val_if_fail (!till_store_in_transaction (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  record = product_record_from_spec (0, spec);
  now_us = till_user_now (store);
  if (!begin_change (store, journal, user, override, error))
    return 0;
  ok = validate_record (store, record, error) && check_barcode_list (barcodes, error) &&
       check_unique (store, record, barcodes, error) &&
       (id = insert_record (store, record, now_us, error)) > 0 &&
       replace_barcodes (store, id, barcodes, error);
  if (ok)
    {
      body = journal_body_new (user, "create");
      _till_json_add_int (body, "product_id", id);
      g_string_append (body, ",\"product\":{");
      json_add_record (body, record);
      g_string_append_c (body, '}');
      json_add_string_array (body, "barcodes", barcodes);
      ok = append_journal (journal, "product", record->sku, now_us, body, error);
    }
  return end_change (store, ok, error) ? id : 0;
}

/**
 * till_product_admin_update:
 * @spec: every field of the product as it is to be
 * @barcodes: (nullable) (array zero-terminated=1): its barcodes, replacing
 *   the ones it has; %NULL keeps them
 *
 * Checks as till_product_admin_create() does, then writes the product with a
 * "product" journal entry {"action":"update","product_id","sku",
 * "changes":{"price":{"old":350,"new":380},…},"barcodes":{"old":[…],
 * "new":[…]}}. A spec equal to the stored product changes nothing and
 * writes no entry.
 *
 * Returns: %TRUE, or %FALSE with @error set (%TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND
 *   when there is no product @product_id)
 */
gboolean
till_product_admin_update (TillStore             *store,
                           TillJournal           *journal,
                           TillUser              *user,
                           gint64                 product_id,
                           const TillProductSpec *spec,
                           const char *const     *barcodes,
                           const TillOverride    *override,
                           GError               **error)
{
  g_autoptr (ProductRecord) old = NULL;
  g_autoptr (ProductRecord) record = NULL;
  g_autoptr (GPtrArray) old_barcodes = NULL;
  g_autoptr (GString) body = NULL;
  g_autoptr (GString) changes = g_string_new ("{");
  gboolean barcodes_change;
  guint    n_changes;
  gint64   now_us;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  record = product_record_from_spec (product_id, spec);
  now_us = till_user_now (store);
  if (!begin_change (store, journal, user, override, error))
    return FALSE;
  ok = (old = load_record_by_id (store, product_id, error)) != NULL &&
       (old_barcodes = read_barcodes (store, product_id, error)) != NULL &&
       validate_record (store, record, error) && check_barcode_list (barcodes, error) &&
       check_unique (store, record, barcodes, error);
  if (!ok)
    return end_change (store, FALSE, error);

  n_changes = append_changes (changes, old, record);
  g_string_append_c (changes, '}');
  barcodes_change =
      barcodes != NULL && !strv_same_set ((const char *const *) old_barcodes->pdata, barcodes);
  if (n_changes == 0 && !barcodes_change)
    {
      till_store_rollback (store);
      return TRUE;
    }
  body = journal_body_new (user, "update");
  _till_json_add_int (body, "product_id", product_id);
  _till_json_add_string (body, "sku", old->sku);
  g_string_append_printf (body, ",\"changes\":%s", changes->str);
  if (barcodes_change)
    {
      g_string_append (body, ",\"barcodes\":{");
      json_add_string_array (body, "old", (const char *const *) old_barcodes->pdata);
      json_add_string_array (body, "new", barcodes);
      g_string_append_c (body, '}');
    }
  ok = update_record (store, record, now_us, error) &&
       (!barcodes_change || replace_barcodes (store, product_id, barcodes, error)) &&
       append_journal (journal, "product", old->sku, now_us, body, error);
  return end_change (store, ok, error);
}

/**
 * till_product_admin_set_active:
 * @active: %FALSE takes the product off sale (it is never deleted: sales
 *   refer to it)
 *
 * Writes a "product" journal entry {"action":"deactivate"|"activate"} when
 * the state changes.
 */
gboolean
till_product_admin_set_active (TillStore          *store,
                               TillJournal        *journal,
                               TillUser           *user,
                               gint64              product_id,
                               gboolean            active,
                               const TillOverride *override,
                               GError            **error)
{
  g_autoptr (ProductRecord) old = NULL;
  g_autoptr (ProductRecord) record = NULL;
  g_autoptr (GString) body = NULL;
  gint64   now_us;
  gboolean ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_us = till_user_now (store);
  if (!begin_change (store, journal, user, override, error))
    return FALSE;
  old = load_record_by_id (store, product_id, error);
  if (old == NULL)
    return end_change (store, FALSE, error);
  if (old->active == (active != FALSE))
    {
      till_store_rollback (store);
      return TRUE;
    }
  record = product_record_copy (old);
  record->active = active != FALSE;
  body = journal_body_new (user, active ? "activate" : "deactivate");
  _till_json_add_int (body, "product_id", product_id);
  _till_json_add_string (body, "sku", old->sku);
  _till_json_add_string (body, "name", old->name);
  ok = update_record (store, record, now_us, error) &&
       append_journal (journal, "product", old->sku, now_us, body, error);
  return end_change (store, ok, error);
}

/**
 * till_product_admin_get_barcodes:
 *
 * Returns: (transfer full): the product's barcodes, by code (the schema
 *   keeps no order of adding); %NULL with %TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND
 *   when there is no product @product_id
 */
GStrv
till_product_admin_get_barcodes (TillStore *store, gint64 product_id, GError **error)
{
  g_autoptr (ProductRecord) record = NULL;
  GPtrArray *codes;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  record = load_record_by_id (store, product_id, error);
  if (record == NULL)
    return NULL;
  codes = read_barcodes (store, product_id, error);
  if (codes == NULL)
    return NULL;
  g_ptr_array_set_free_func (codes, NULL);
  return (GStrv) g_ptr_array_free (codes, FALSE);
}

/* Makes @text a LIKE pattern matching it anywhere, its % _ and \ literal. */
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

static TillProduct *
product_from_record (const ProductRecord *record, const char *pinyin)
{
  TillProductSpec spec = {
    .sku = record->sku,
    .name = record->name,
    .short_name = record->short_name,
    .plu = record->plu,
    .brand = record->brand,
    .unit = record->unit,
    .category_id = record->category_id,
    .price = record->price,
    .member_price = record->member_price,
    .cost = record->cost,
    .vat_rate = record->vat_rate,
    .weighed = record->weighed,
    .active = record->active,
  };

  return till_product_new (record->id, &spec, pinyin);
}

/**
 * till_product_admin_list:
 * @query: (nullable): part of a SKU, name, pinyin initials or PLU, or a
 *   whole barcode; %NULL or "" for all
 * @limit: the most products to return; 0 = no limit
 *
 * Returns: (transfer full) (element-type TillProduct): the products by SKU,
 *   or %NULL with @error set
 */
GPtrArray *
till_product_admin_list (
    TillStore *store, const char *query, gboolean include_inactive, guint limit, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) products = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *upper_pattern = NULL;
  int              rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (query != NULL ? query : ""));
  pattern = like_pattern (trimmed);
  upper_pattern = g_ascii_strup (pattern, -1);
  stmt = till_store_prepare (store,
                             "SELECT " RECORD_COLUMNS ", pinyin FROM product p"
                             " WHERE (?1 = '' OR p.sku LIKE ?2 ESCAPE '\\'"
                             "  OR p.name LIKE ?2 ESCAPE '\\' OR p.pinyin LIKE ?3 ESCAPE '\\'"
                             "  OR p.plu = ?1"
                             "  OR EXISTS (SELECT 1 FROM barcode b WHERE b.code = ?1"
                             "             AND b.product_id = p.id))"
                             " AND (?4 OR p.active) ORDER BY p.sku LIMIT ?5",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, pattern, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, upper_pattern, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, include_inactive ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, limit == 0 ? -1 : (sqlite3_int64) limit);
  products = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (ProductRecord) record = product_record_from_row (stmt);

      g_ptr_array_add (products,
                       product_from_record (record, (const char *) sqlite3_column_text (stmt, 14)));
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the catalog failed"));
      return NULL;
    }
  return g_steal_pointer (&products);
}

/* --- Categories -------------------------------------------------------------- */

static gboolean
check_category_name (const char *name, GError **error)
{
  if (!check_text (name, _ ("category name"), MAX_CATEGORY_CHARS, TRUE, error))
    return FALSE;
  if (strchr (name, '/') != NULL)
    return invalid (error, _ ("A category name cannot hold “/” (it separates a path)"));
  if (g_ascii_isspace (name[0]) || g_ascii_isspace (name[strlen (name) - 1]))
    return invalid (error, _ ("A category name cannot start or end with a space"));
  return TRUE;
}

/* The category named @name under @parent_id (0: the top level): its id, 0
 * when there is none, -1 with @error set. */
static gint64
find_child_category (TillStore *store, gint64 parent_id, const char *name, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store,
                             "SELECT id FROM category WHERE parent_id IS ?1 AND name = ?2"
                             " ORDER BY id LIMIT 1",
                             error);
  if (stmt == NULL)
    return -1;
  if (parent_id != 0)
    sqlite3_bind_int64 (stmt, 1, parent_id);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the categories failed"));
      return -1;
    }
  return 0;
}

static gint64
insert_category (TillStore *store, gint64 parent_id, const char *name, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store, "INSERT INTO category (parent_id, name) VALUES (?, ?)", error);
  if (stmt == NULL)
    return 0;
  if (parent_id != 0)
    sqlite3_bind_int64 (stmt, 1, parent_id);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  if (!till_store_step_done (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (till_store_get_db (store));
}

/* A category's parent (0: top level) and name; FALSE with NOT_FOUND. */
static gboolean
load_category (TillStore *store, gint64 id, gint64 *out_parent, char **out_name, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (
      store, "SELECT coalesce (parent_id, 0), name FROM category WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_parent = sqlite3_column_int64 (stmt, 0);
      *out_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    till_store_set_error (store, error, _ ("Reading the categories failed"));
  else
    g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND,
                 _ ("There is no category %" PRId64), id);
  return FALSE;
}

/**
 * till_product_admin_add_category:
 * @parent_id: the parent, 0 for the top level
 * @name: its name: no "/" (it separates a path), unique among its siblings
 *
 * Writes a "product" journal entry {"action":"add-category"}. New
 * categories have no code, so no catalog's cached category codes go stale.
 *
 * Returns: the new category's id, or 0 with @error set
 */
gint64
till_product_admin_add_category (TillStore          *store,
                                 TillJournal        *journal,
                                 TillUser           *user,
                                 gint64              parent_id,
                                 const char         *name,
                                 const TillOverride *override,
                                 GError            **error)
{
  g_autoptr (GString) body = NULL;
  g_autofree char *parent_name = NULL;
  gint64           grandparent = 0;
  gint64           existing;
  gint64           id = 0;
  gint64           now_us;
  gboolean         ok;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), 0);
  g_return_val_if_fail (TILL_IS_USER (user), 0);
  g_return_val_if_fail (!till_store_in_transaction (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  now_us = till_user_now (store);
  if (!begin_change (store, journal, user, override, error))
    return 0;
  ok = check_category_name (name, error) &&
       (parent_id == 0 || load_category (store, parent_id, &grandparent, &parent_name, error)) &&
       (existing = find_child_category (store, parent_id, name, error)) >= 0;
  if (ok && existing > 0)
    {
      g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE,
                   _ ("There is a category %s there already"), name);
      ok = FALSE;
    }
  if (ok && (id = insert_category (store, parent_id, name, error)) == 0)
    ok = FALSE;
  if (ok)
    {
      body = journal_body_new (user, "add-category");
      _till_json_add_int (body, "category_id", id);
      _till_json_add_int (body, "parent_id", parent_id);
      _till_json_add_string (body, "name", name);
      ok = append_journal (journal, "product", name, now_us, body, error);
    }
  return end_change (store, ok, error) ? id : 0;
}

/**
 * till_product_admin_rename_category:
 *
 * Writes a "product" journal entry {"action":"rename-category","old","new"}.
 * A category's code (what promotions target) does not change, so no
 * catalog's cached category codes go stale.
 */
gboolean
till_product_admin_rename_category (TillStore          *store,
                                    TillJournal        *journal,
                                    TillUser           *user,
                                    gint64              category_id,
                                    const char         *name,
                                    const TillOverride *override,
                                    GError            **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GString) body = NULL;
  g_autofree char *old_name = NULL;
  gint64           parent_id = 0;
  gint64           existing = 0;
  gint64           now_us;
  gboolean         ok;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (TILL_IS_USER (user), FALSE);
  g_return_val_if_fail (!till_store_in_transaction (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now_us = till_user_now (store);
  if (!begin_change (store, journal, user, override, error))
    return FALSE;
  ok = check_category_name (name, error) &&
       load_category (store, category_id, &parent_id, &old_name, error) &&
       (existing = find_child_category (store, parent_id, name, error)) >= 0;
  if (ok && g_str_equal (old_name, name))
    {
      till_store_rollback (store);
      return TRUE;
    }
  if (ok && existing > 0)
    {
      g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE,
                   _ ("There is a category %s there already"), name);
      ok = FALSE;
    }
  if (ok)
    ok = (stmt = till_store_prepare (store, "UPDATE category SET name = ? WHERE id = ?", error)) !=
         NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, category_id);
      body = journal_body_new (user, "rename-category");
      _till_json_add_int (body, "category_id", category_id);
      _till_json_add_string (body, "old", old_name);
      _till_json_add_string (body, "new", name);
      ok = till_store_step_done (store, stmt, error) &&
           append_journal (journal, "product", name, now_us, body, error);
    }
  g_clear_pointer (&stmt, till_stmt_release);
  return end_change (store, ok, error);
}

/**
 * till_product_admin_get_category_path:
 *
 * Returns: (transfer full): the names from the top down joined by "/"
 *   ("饮料/茶饮"), "" for 0; %NULL with %TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND
 */
char *
till_product_admin_get_category_path (TillStore *store, gint64 category_id, GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) path = g_string_new (NULL);
  gint64 id = category_id;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (id != 0)
    {
      char *name = NULL;

      /* A cycle in the parents (bad data) stops the walk. */
      if (names->len >= MAX_CATEGORY_DEPTH)
        break;
      if (!load_category (store, id, &id, &name, error))
        return NULL;
      g_ptr_array_add (names, name);
    }
  for (guint i = names->len; i > 0; i--)
    {
      if (path->len > 0)
        g_string_append_c (path, '/');
      g_string_append (path, g_ptr_array_index (names, i - 1));
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* --- Import and export --------------------------------------------------------- */

/* The columns of a file, in the order export writes them. */
typedef enum
{
  FIELD_SKU,
  FIELD_NAME,
  FIELD_BARCODE,
  FIELD_PRICE,
  FIELD_MEMBER_PRICE,
  FIELD_COST,
  FIELD_VAT,
  FIELD_UNIT,
  FIELD_CATEGORY,
  FIELD_WEIGHED,
  FIELD_PLU,
  FIELD_BRAND,
  FIELD_ACTIVE,
  FIELD_LOWER,
  FIELD_UPPER,
  N_FIELDS,
} Field;

/* Header names: the English one is what export writes. */
static const struct
{
  const char *english;
  const char *chinese;
} field_names[N_FIELDS] = {
  [FIELD_SKU] = { "sku", "编码" },
  [FIELD_NAME] = { "name", "名称" },
  [FIELD_BARCODE] = { "barcode", "条码" },
  [FIELD_PRICE] = { "price", "售价" },
  [FIELD_MEMBER_PRICE] = { "member_price", "会员价" },
  [FIELD_COST] = { "cost", "进价" },
  [FIELD_VAT] = { "vat", "税率" },
  [FIELD_UNIT] = { "unit", "单位" },
  [FIELD_CATEGORY] = { "category", "分类" },
  [FIELD_WEIGHED] = { "weighed", "称重" },
  [FIELD_PLU] = { "plu", "PLU" },
  [FIELD_BRAND] = { "brand", "品牌" },
  [FIELD_ACTIVE] = { "active", "启用" },
  [FIELD_LOWER] = { "lower", "下限" },
  [FIELD_UPPER] = { "upper", "上限" },
};

/* A stock limit that is not set. */
#define NO_LIMIT G_GINT64_CONSTANT (-1)

void
till_import_problem_free (TillImportProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->column);
  g_free (problem->value);
  g_free (problem->message);
  g_free (problem);
}

void
till_import_result_free (TillImportResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->problems, g_ptr_array_unref);
  g_free (result);
}

/* A row that creates or changes a product, checked and waiting to be
 * written. */
typedef struct
{
  guint          row;
  ProductRecord *record;        /* as it is to be; id 0 for a new product */
  char          *category_path; /* a category that does not exist yet; NULL: none */
  GStrv          barcodes;      /* NULL: kept */
  gboolean       limits_change;
  gint64         lower; /* thousandths, NO_LIMIT */
  gint64         upper;
} ImportChange;

static void
import_change_free (ImportChange *change)
{
  product_record_free (change->record);
  g_free (change->category_path);
  g_strfreev (change->barcodes);
  g_free (change);
}

/* What one import is working on. */
typedef struct
{
  TillStore        *store;
  TillImportResult *result;
  char            **header;
  int               columns[N_FIELDS]; /* the field's index in a row; -1: not in the file */
  GHashTable       *sku_rows;          /* SKU → its row */
  GHashTable       *barcode_rows;      /* barcode_key () → its row */
  GHashTable       *plu_rows;          /* PLU → its row */
  GHashTable       *category_ids;      /* path → gint64 id; 0: to be created */
  GPtrArray        *changes;           /* ImportChange */
} Import;

static void
import_clear (Import *import)
{
  g_clear_pointer (&import->sku_rows, g_hash_table_unref);
  g_clear_pointer (&import->barcode_rows, g_hash_table_unref);
  g_clear_pointer (&import->plu_rows, g_hash_table_unref);
  g_clear_pointer (&import->category_ids, g_hash_table_unref);
  g_clear_pointer (&import->changes, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Import, import_clear)

static const char *
column_title (Import *import, Field field)
{
  if (import->columns[field] >= 0)
    return import->header[import->columns[field]];
  return field_names[field].english;
}

static void
add_problem (Import *import, guint row, int field, const char *value, const char *format, ...)
    G_GNUC_PRINTF (5, 6);

/* @field -1: the whole row. */
static void
add_problem (Import *import, guint row, int field, const char *value, const char *format, ...)
{
  TillImportProblem *problem = g_new0 (TillImportProblem, 1);
  va_list            args;

  problem->row = row;
  problem->column = field >= 0 ? g_strdup (column_title (import, field)) : NULL;
  problem->value = field >= 0 ? g_strdup (value != NULL ? value : "") : NULL;
  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (import->result->problems, problem);
}

/* A check's refusal becomes a problem of the row; a database failure stops
 * the import (FALSE, @error set). */
static gboolean
problem_or_fail (
    Import *import, guint row, Field field, const char *value, GError *check_error, GError **error)
{
  if (check_error->domain != TILL_PRODUCT_ADMIN_ERROR)
    {
      g_propagate_error (error, check_error);
      return FALSE;
    }
  add_problem (import, row, field, value, "%s", check_error->message);
  g_error_free (check_error);
  return TRUE;
}

static gboolean
header_matches (const char *cell, Field field)
{
  return g_ascii_strcasecmp (cell, field_names[field].english) == 0 ||
         g_str_equal (cell, field_names[field].chinese);
}

/* Finds each field's column; unknown columns are ignored. */
static void
map_columns (Import *import, char **header)
{
  import->header = header;
  for (guint f = 0; f < N_FIELDS; f++)
    import->columns[f] = -1;
  for (guint c = 0; header[c] != NULL; c++)
    {
      g_strstrip (header[c]);
      for (guint f = 0; f < N_FIELDS; f++)
        {
          if (!header_matches (header[c], f))
            continue;
          if (import->columns[f] >= 0)
            add_problem (import, 1, f, header[c], _ ("The column %s is in the file twice"),
                         header[c]);
          else
            import->columns[f] = (int) c;
        }
    }
}

/* The cell of @field in @cells, trimmed; "" when the file has no such
 * column or the row is short. */
static char *
cell_of (Import *import, char **cells, Field field)
{
  int column = import->columns[field];

  if (column < 0 || column >= (int) g_strv_length (cells))
    return g_strdup ("");
  return g_strstrip (g_strdup (cells[column]));
}

/* "12.50", "12.5", "12", "￥12.50" or "¥12.50" in fen. */
static gboolean
parse_yuan (const char *text, gint64 *out_fen)
{
  const char *p = text;

  if (g_str_has_prefix (p, "\xef\xbf\xa5")) /* ￥ */
    p += 3;
  else if (g_str_has_prefix (p, "\xc2\xa5")) /* ¥ */
    p += 2;
  return till_money_parse (p, out_fen, NULL) && *out_fen < MAX_PRICE_FEN;
}

/* "13", "13%" or "9.5 %" in basis points. */
static gboolean
parse_vat (const char *text, int *out_bp)
{
  g_autofree char *number = g_strdup (text);
  gsize            length = strlen (number);
  gint64           bp;

  if (length > 0 && number[length - 1] == '%')
    number[length - 1] = '\0';
  if (!till_money_parse (number, &bp, NULL) || bp > 10000)
    return FALSE;
  *out_bp = (int) bp;
  return TRUE;
}

static gboolean
parse_flag (const char *text, gboolean *out_flag)
{
  static const char *const yes[] = { "1", "yes", "y", "true", "是" };
  static const char *const no[] = { "0", "no", "n", "false", "否" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0)
      {
        *out_flag = TRUE;
        return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    if (g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *out_flag = FALSE;
        return TRUE;
      }
  return FALSE;
}

/* The product's stock limits (NO_LIMIT where none). */
static gboolean
load_limits (
    TillStore *store, gint64 product_id, gint64 *out_lower, gint64 *out_upper, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  *out_lower = NO_LIMIT;
  *out_upper = NO_LIMIT;
  if (product_id == 0)
    return TRUE;
  stmt = till_store_prepare (store, "SELECT lower, upper FROM stock_limit WHERE product_id = ?",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        *out_lower = sqlite3_column_int64 (stmt, 0);
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        *out_upper = sqlite3_column_int64 (stmt, 1);
    }
  else if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the stock limits failed"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_limits (TillStore *store, gint64 product_id, gint64 lower, gint64 upper, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO stock_limit (product_id, lower, upper) VALUES (?, ?, ?)"
                             " ON CONFLICT (product_id) DO UPDATE"
                             " SET lower = excluded.lower, upper = excluded.upper",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, product_id);
  if (lower != NO_LIMIT)
    sqlite3_bind_int64 (stmt, 2, lower);
  if (upper != NO_LIMIT)
    sqlite3_bind_int64 (stmt, 3, upper);
  return till_store_step_done (store, stmt, error);
}

/* "饮料 / 茶饮" → "饮料/茶饮"; NULL with a problem added when a part is
 * not a category name. */
static char *
normalize_category_path (Import *import, guint row, const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, "/", -1);
  g_autoptr (GString) path = g_string_new (NULL);

  if (g_strv_length (parts) > MAX_CATEGORY_DEPTH)
    {
      add_problem (import, row, FIELD_CATEGORY, text, _ ("A category path has at most %d levels"),
                   MAX_CATEGORY_DEPTH);
      return NULL;
    }
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr (GError) check_error = NULL;

      g_strstrip (parts[i]);
      if (!check_category_name (parts[i], &check_error))
        {
          add_problem (import, row, FIELD_CATEGORY, text, "%s", check_error->message);
          return NULL;
        }
      if (i > 0)
        g_string_append_c (path, '/');
      g_string_append (path, parts[i]);
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* The id of the category at @path, 0 when (part of) it does not exist
 * yet, -1 with @error set. */
static gint64
find_category_path (TillStore *store, const char *path, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  gint64 id = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      id = find_child_category (store, id, parts[i], error);
      if (id <= 0)
        return id;
    }
  return id;
}

/* The category at @path, creating what is missing; 0 with @error set. */
static gint64
ensure_category_path (TillStore *store, const char *path, GPtrArray *created, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr (GString) prefix = g_string_new (NULL);
  gint64 id = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 child = find_child_category (store, id, parts[i], error);

      if (prefix->len > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);
      if (child < 0)
        return 0;
      if (child == 0)
        {
          child = insert_category (store, id, parts[i], error);
          if (child == 0)
            return 0;
          g_ptr_array_add (created, g_strdup (prefix->str));
        }
      id = child;
    }
  return id;
}

/* Reads a money cell into @target; a problem when it does not parse. */
static void
take_yuan (Import *import, guint row, Field field, const char *text, gint64 *target)
{
  if (*text == '\0')
    return;
  if (!parse_yuan (text, target))
    add_problem (import, row, field, text,
                 _ ("“%s” is not an amount in yuan below 10000000, such as 12.50"), text);
}

static void
take_flag (Import *import, guint row, Field field, const char *text, gboolean *target)
{
  if (*text != '\0' && !parse_flag (text, target))
    add_problem (import, row, field, text, _ ("“%s” is not 1 or 0 (yes or no, 是 or 否)"), text);
}

static void
take_limit (Import *import, guint row, Field field, const char *text, gint64 *target)
{
  if (*text != '\0' && !till_quantity_parse (text, target, NULL))
    add_problem (import, row, field, text,
                 _ ("“%s” is not a quantity (a number of units, such as 12 or 2.5)"), text);
}

/* A text cell (unit, brand, name) into @target. */
static void
take_text (Import     *import,
           guint       row,
           Field       field,
           const char *text,
           const char *what,
           guint       max_chars,
           char      **target)
{
  g_autoptr (GError) check_error = NULL;

  if (*text == '\0')
    return;
  if (!check_text (text, what, max_chars, TRUE, &check_error))
    {
      add_problem (import, row, field, text, "%s", check_error->message);
      return;
    }
  g_free (*target);
  *target = g_strdup (text);
}

static gboolean
take_plu (Import *import, guint row, const char *text, ProductRecord *record, GError **error)
{
  GError *check_error = NULL;
  guint   other_row;

  if (*text == '\0')
    return TRUE;
  if (!check_plu (text, &check_error) ||
      !check_plu_free (import->store, text, record->id, &check_error))
    return problem_or_fail (import, row, FIELD_PLU, text, check_error, error);
  other_row = GPOINTER_TO_UINT (g_hash_table_lookup (import->plu_rows, text));
  if (other_row != 0)
    {
      add_problem (import, row, FIELD_PLU, text, _ ("PLU %1$s is also on row %2$u"), text,
                   other_row);
      return TRUE;
    }
  g_hash_table_insert (import->plu_rows, g_strdup (text), GUINT_TO_POINTER (row));
  g_free (record->plu);
  record->plu = g_strdup (text);
  return TRUE;
}

/* The barcodes of a cell ("a;b" or "a|b") into @change, each checked
 * against the catalog and the rows before. */
static gboolean
take_barcodes (Import *import, guint row, const char *text, ImportChange *change, GError **error)
{
  g_auto (GStrv) parts = g_strsplit_set (text, ";|", -1);
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (*text == '\0')
    return TRUE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char      *code = g_strstrip (parts[i]);
      g_autofree char *key = NULL;
      GError          *check_error = NULL;
      guint            other_row;

      if (*code == '\0')
        continue;
      if (!check_barcode (code, &check_error) ||
          !check_barcode_free (import->store, code, change->record->id, &check_error))
        {
          if (!problem_or_fail (import, row, FIELD_BARCODE, code, check_error, error))
            return FALSE;
          continue;
        }
      key = barcode_key (code);
      if (!g_hash_table_add (own, g_strdup (key)))
        {
          add_problem (import, row, FIELD_BARCODE, code, _ ("Barcode %s is listed twice"), code);
          continue;
        }
      other_row = GPOINTER_TO_UINT (g_hash_table_lookup (import->barcode_rows, key));
      if (other_row != 0)
        {
          add_problem (import, row, FIELD_BARCODE, code, _ ("Barcode %1$s is also on row %2$u"),
                       code, other_row);
          continue;
        }
      g_hash_table_insert (import->barcode_rows, g_steal_pointer (&key), GUINT_TO_POINTER (row));
      g_ptr_array_add (codes, g_strdup (code));
    }
  g_ptr_array_add (codes, NULL);
  change->barcodes = (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
  return TRUE;
}

/* The category of a cell: an existing one's id into the record, or the
 * path of one to create. */
static gboolean
take_category (Import *import, guint row, const char *text, ImportChange *change, GError **error)
{
  g_autofree char *path = NULL;
  gpointer         cached;
  gint64           id;

  if (*text == '\0')
    return TRUE;
  path = normalize_category_path (import, row, text);
  if (path == NULL)
    return TRUE;
  if (g_hash_table_lookup_extended (import->category_ids, path, NULL, &cached))
    id = *(gint64 *) cached;
  else
    {
      id = find_category_path (import->store, path, error);
      if (id < 0)
        return FALSE;
      g_hash_table_insert (import->category_ids, g_strdup (path), g_memdup2 (&id, sizeof id));
    }
  if (id > 0)
    change->record->category_id = id;
  else
    change->category_path = g_steal_pointer (&path);
  return TRUE;
}

/* Whether applying @change alters anything of the stored @old. */
static gboolean
change_alters (const ImportChange  *change,
               const ProductRecord *old,
               GPtrArray           *old_barcodes,
               gint64               old_lower,
               gint64               old_upper)
{
  g_autoptr (GString) diff = g_string_new ("{");

  return append_changes (diff, old, change->record) > 0 || change->category_path != NULL ||
         (change->barcodes != NULL && !strv_same_set ((const char *const *) old_barcodes->pdata,
                                                      (const char *const *) change->barcodes)) ||
         change->lower != old_lower || change->upper != old_upper;
}

/* Checks one row and, when it is good and changes something, keeps what it
 * changes in import->changes. FALSE only on a database error. */
static gboolean
import_row (Import *import, guint row, char **cells, GError **error)
{
  g_autoptr (ProductRecord) old = NULL;
  g_autoptr (GPtrArray) old_barcodes = NULL;
  g_autoptr (GError) check_error = NULL;
  g_auto (GStrv) values = g_new0 (char *, N_FIELDS + 1);
  ImportChange *change;
  guint         n_problems = import->result->problems->len;
  guint         other_row;
  gint64        old_lower = NO_LIMIT;
  gint64        old_upper = NO_LIMIT;
  const char   *sku;

  for (guint f = 0; f < N_FIELDS; f++)
    values[f] = cell_of (import, cells, f);
  sku = values[FIELD_SKU];
  if (!check_sku (sku, &check_error))
    {
      add_problem (import, row, FIELD_SKU, sku, "%s", check_error->message);
      return TRUE;
    }
  other_row = GPOINTER_TO_UINT (g_hash_table_lookup (import->sku_rows, sku));
  if (other_row != 0)
    {
      add_problem (import, row, FIELD_SKU, sku, _ ("SKU %1$s is also on row %2$u"), sku, other_row);
      return TRUE;
    }
  g_hash_table_insert (import->sku_rows, g_strdup (sku), GUINT_TO_POINTER (row));
  if (load_record (import->store, 0, sku, &old, error) < 0)
    return FALSE;

  change = g_new0 (ImportChange, 1);
  change->row = row;
  if (old != NULL)
    {
      change->record = product_record_copy (old);
      if ((old_barcodes = read_barcodes (import->store, old->id, error)) == NULL ||
          !load_limits (import->store, old->id, &old_lower, &old_upper, error))
        {
          import_change_free (change);
          return FALSE;
        }
    }
  else
    {
      const TillProductSpec defaults = { .sku = sku, .vat_rate = 1300, .active = TRUE };

      change->record = product_record_from_spec (0, &defaults);
      if (*values[FIELD_NAME] == '\0')
        add_problem (import, row, FIELD_NAME, "", _ ("A new product needs a name"));
      if (*values[FIELD_PRICE] == '\0')
        add_problem (import, row, FIELD_PRICE, "", _ ("A new product needs a price"));
    }
  change->lower = old_lower;
  change->upper = old_upper;

  take_text (import, row, FIELD_NAME, values[FIELD_NAME], _ ("name"), MAX_NAME_CHARS,
             &change->record->name);
  take_text (import, row, FIELD_UNIT, values[FIELD_UNIT], _ ("unit"), MAX_SHORT_TEXT_CHARS,
             &change->record->unit);
  take_text (import, row, FIELD_BRAND, values[FIELD_BRAND], _ ("brand"), MAX_NAME_CHARS,
             &change->record->brand);
  take_yuan (import, row, FIELD_PRICE, values[FIELD_PRICE], &change->record->price);
  take_yuan (import, row, FIELD_MEMBER_PRICE, values[FIELD_MEMBER_PRICE],
             &change->record->member_price);
  take_yuan (import, row, FIELD_COST, values[FIELD_COST], &change->record->cost);
  if (*values[FIELD_VAT] != '\0' && !parse_vat (values[FIELD_VAT], &change->record->vat_rate))
    add_problem (import, row, FIELD_VAT, values[FIELD_VAT],
                 _ ("“%s” is not a VAT rate from 0 to 100, such as 13 or 13%%"), values[FIELD_VAT]);
  take_flag (import, row, FIELD_WEIGHED, values[FIELD_WEIGHED], &change->record->weighed);
  take_flag (import, row, FIELD_ACTIVE, values[FIELD_ACTIVE], &change->record->active);
  take_limit (import, row, FIELD_LOWER, values[FIELD_LOWER], &change->lower);
  take_limit (import, row, FIELD_UPPER, values[FIELD_UPPER], &change->upper);
  if (change->lower != NO_LIMIT && change->upper != NO_LIMIT && change->lower > change->upper)
    add_problem (import, row, *values[FIELD_LOWER] != '\0' ? FIELD_LOWER : FIELD_UPPER,
                 *values[FIELD_LOWER] != '\0' ? values[FIELD_LOWER] : values[FIELD_UPPER],
                 _ ("The lower stock limit is above the upper one"));
  if (!take_plu (import, row, values[FIELD_PLU], change->record, error) ||
      !take_barcodes (import, row, values[FIELD_BARCODE], change, error) ||
      !take_category (import, row, values[FIELD_CATEGORY], change, error))
    {
      import_change_free (change);
      return FALSE;
    }

  if (import->result->problems->len > n_problems)
    import_change_free (change);
  else if (old == NULL)
    {
      import->result->created++;
      g_ptr_array_add (import->changes, change);
    }
  else if (change_alters (change, old, old_barcodes, old_lower, old_upper))
    {
      change->limits_change = change->lower != old_lower || change->upper != old_upper;
      import->result->updated++;
      g_ptr_array_add (import->changes, change);
    }
  else
    {
      import->result->unchanged++;
      import_change_free (change);
    }
  return TRUE;
}

static gboolean
row_is_blank (char **cells)
{
  for (guint c = 0; cells[c] != NULL; c++)
    for (const char *p = cells[c]; *p != '\0'; p++)
      if (!g_ascii_isspace (*p))
        return FALSE;
  return TRUE;
}

/* Writes one checked change. */
static gboolean
apply_change (Import       *import,
              ImportChange *change,
              gint64        now_us,
              GPtrArray    *created_categories,
              GError      **error)
{
  TillStore     *store = import->store;
  ProductRecord *record = change->record;

  if (change->category_path != NULL)
    {
      record->category_id =
          ensure_category_path (store, change->category_path, created_categories, error);
      if (record->category_id == 0)
        return FALSE;
    }
  if (record->id == 0)
    {
      record->id = insert_record (store, record, now_us, error);
      if (record->id == 0)
        return FALSE;
      change->limits_change = change->lower != NO_LIMIT || change->upper != NO_LIMIT;
    }
  else if (!update_record (store, record, now_us, error))
    return FALSE;
  if (change->barcodes != NULL &&
      !replace_barcodes (store, record->id, (const char *const *) change->barcodes, error))
    return FALSE;
  if (change->limits_change &&
      !save_limits (store, record->id, change->lower, change->upper, error))
    return FALSE;
  return TRUE;
}

static gboolean
apply_import (Import *import, TillJournal *journal, TillUser *user, GError **error)
{
  g_autoptr (GPtrArray) created = g_ptr_array_new ();
  g_autoptr (GPtrArray) updated = g_ptr_array_new ();
  g_autoptr (GPtrArray) categories = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) body = NULL;
  gint64 now_us = till_user_now (import->store);

  for (guint i = 0; i < import->changes->len; i++)
    {
      ImportChange *change = g_ptr_array_index (import->changes, i);

      g_ptr_array_add (change->record->id == 0 ? created : updated, change->record->sku);
      if (!apply_change (import, change, now_us, categories, error))
        return FALSE;
    }
  g_ptr_array_add (created, NULL);
  g_ptr_array_add (updated, NULL);
  g_ptr_array_add (categories, NULL);
  body = journal_body_new (user, "import");
  _till_json_add_int (body, "created", import->result->created);
  _till_json_add_int (body, "updated", import->result->updated);
  _till_json_add_int (body, "unchanged", import->result->unchanged);
  json_add_string_array (body, "created_skus", (const char *const *) created->pdata);
  json_add_string_array (body, "updated_skus", (const char *const *) updated->pdata);
  json_add_string_array (body, "created_categories", (const char *const *) categories->pdata);
  return append_journal (journal, "product-import", NULL, now_us, body, error);
}

/**
 * till_product_admin_import:
 * @rows: (element-type GStrv): the file's rows, the header first
 * @dry_run: check only: nothing is written
 * @out_applied: (out) (optional): whether anything was written
 *
 * Checks %TILL_PERMISSION_MANAGE_PRODUCTS, then every row; blank rows are
 * skipped. A row whose SKU exists updates that product, where its cells are
 * not empty (an empty cell keeps the stored value); a new SKU creates a
 * product, which needs a name and a price. Categories named by a path that
 * does not exist are created. When no row is bad and @dry_run is %FALSE,
 * writes every change and a "product-import" journal entry (the counts,
 * the SKUs created and updated, the categories created) in one
 * transaction. The counts tell what was written, or would be for a dry run.
 *
 * Returns: (transfer full): the result, its problems by row; %NULL with
 *   @error set when the file has no SKU column, the user may not, or the
 *   database failed
 */
TillImportResult *
till_product_admin_import (TillStore          *store,
                           TillJournal        *journal,
                           TillUser           *user,
                           GPtrArray          *rows,
                           gboolean            dry_run,
                           const TillOverride *override,
                           gboolean           *out_applied,
                           GError            **error)
{
  g_autoptr (TillImportResult) result = NULL;
  g_auto (Import) import = { 0 };
  g_auto (GStrv) header = NULL;

  if (out_applied != NULL)
    *out_applied = FALSE;
  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TILL_IS_USER (user), NULL);
  g_return_val_if_fail (rows != NULL, NULL);
  g_return_val_if_fail (!till_store_in_transaction (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = g_new0 (TillImportResult, 1);
  result->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) till_import_problem_free);
  import.store = store;
  import.result = result;
  header = rows->len > 0 ? g_strdupv (g_ptr_array_index (rows, 0)) : g_new0 (char *, 1);
  map_columns (&import, header);
  if (import.columns[FIELD_SKU] < 0)
    {
      g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_INVALID,
                   _ ("The file has no SKU column (a header “sku” or “编码”)"));
      return NULL;
    }
  import.sku_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.barcode_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.plu_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  import.category_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  import.changes = g_ptr_array_new_with_free_func ((GDestroyNotify) import_change_free);

  /* Checked and written in one transaction, so that what was checked is
   * what is written. */
  if (!begin_change (store, journal, user, override, error))
    return NULL;
  for (guint r = 1; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);

      if (row_is_blank (cells))
        continue;
      if (!import_row (&import, r + 1, cells, error))
        {
          till_store_rollback (store);
          return NULL;
        }
    }
  if (result->problems->len > 0 || dry_run || import.changes->len == 0)
    {
      till_store_rollback (store);
      return g_steal_pointer (&result);
    }
  if (!end_change (store, apply_import (&import, journal, user, error), error))
    return NULL;
  if (out_applied != NULL)
    *out_applied = TRUE;
  return g_steal_pointer (&result);
}

/* "13" for 1300 bp, "9.5" for 950, "6.25" for 625. */
static char *
format_vat (int bp)
{
  if (bp % 100 == 0)
    return g_strdup_printf ("%d", bp / 100);
  if (bp % 10 == 0)
    return g_strdup_printf ("%d.%d", bp / 100, (bp % 100) / 10);
  return g_strdup_printf ("%d.%02d", bp / 100, bp % 100);
}

static char *
format_limit (sqlite3_stmt *stmt, int column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return g_strdup ("");
  return till_quantity_format (sqlite3_column_int64 (stmt, column));
}

/* The category path of @category_id, looked up once per category. */
static char *
cached_category_path (TillStore *store, GHashTable *paths, gint64 category_id, GError **error)
{
  const char *path = g_hash_table_lookup (paths, &category_id);
  char       *found;

  if (path != NULL)
    return g_strdup (path);
  found = till_product_admin_get_category_path (store, category_id, error);
  if (found == NULL)
    return NULL;
  g_hash_table_insert (paths, g_memdup2 (&category_id, sizeof category_id), g_strdup (found));
  return found;
}

/**
 * till_product_admin_export:
 *
 * Returns: (transfer full) (element-type GStrv): the header (sku, name,
 *   barcode, price, member_price, cost, vat, unit, category, weighed, plu,
 *   brand, active, lower, upper), then a row per product by SKU: money in
 *   yuan ("12.50"; an unset member price empty), VAT in percent, barcodes
 *   joined by ";", the category as a path, flags 1 or 0, stock limits in
 *   units (empty where none). %NULL with @error set.
 */
GPtrArray *
till_product_admin_export (TillStore *store, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GHashTable) paths = NULL;
  char **header;
  int    rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT " RECORD_COLUMNS ", (SELECT group_concat (code, ';') FROM"
                             " (SELECT code FROM barcode b WHERE b.product_id = product.id"
                             "  ORDER BY code)), l.lower, l.upper"
                             " FROM product LEFT JOIN stock_limit l ON l.product_id = product.id"
                             " ORDER BY sku",
                             error);
  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  paths = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  header = g_new0 (char *, N_FIELDS + 1);
  for (guint f = 0; f < N_FIELDS; f++)
    header[f] = g_strdup (field_names[f].english);
  g_ptr_array_add (rows, header);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (ProductRecord) record = product_record_from_row (stmt);
      const char *barcodes = (const char *) sqlite3_column_text (stmt, 14);
      char      **cells = g_new0 (char *, N_FIELDS + 1);

      g_ptr_array_add (rows, cells);
      cells[FIELD_SKU] = g_strdup (record->sku);
      cells[FIELD_NAME] = g_strdup (record->name);
      cells[FIELD_BARCODE] = g_strdup (barcodes != NULL ? barcodes : "");
      cells[FIELD_PRICE] = till_money_format (record->price);
      cells[FIELD_MEMBER_PRICE] =
          record->member_price != 0 ? till_money_format (record->member_price) : g_strdup ("");
      cells[FIELD_COST] = till_money_format (record->cost);
      cells[FIELD_VAT] = format_vat (record->vat_rate);
      cells[FIELD_UNIT] = g_strdup (record->unit);
      cells[FIELD_CATEGORY] = cached_category_path (store, paths, record->category_id, error);
      if (cells[FIELD_CATEGORY] == NULL)
        return NULL;
      cells[FIELD_WEIGHED] = g_strdup (record->weighed ? "1" : "0");
      cells[FIELD_PLU] = g_strdup (record->plu != NULL ? record->plu : "");
      cells[FIELD_BRAND] = g_strdup (record->brand != NULL ? record->brand : "");
      cells[FIELD_ACTIVE] = g_strdup (record->active ? "1" : "0");
      cells[FIELD_LOWER] = format_limit (stmt, 15);
      cells[FIELD_UPPER] = format_limit (stmt, 16);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Reading the catalog failed"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}
