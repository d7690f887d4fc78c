/* till-product-admin.h: managing the catalog at the till, and importing and
 * exporting it
 *
 * A manager creates and edits products (barcodes, prices, member price,
 * cost, VAT, weighed, category), deactivates them (never deletes: sales
 * refer to them) and edits categories. Each change checks
 * MANAGE_PRODUCTS (or a supervisor's override) and writes a "product"
 * journal entry, in one transaction.
 *
 * Import takes a table of text cells (the file formats are read by
 * src/sheet) and applies it all or not at all: every bad row is reported
 * with its row number, column and reason, and if there is one, nothing is
 * written. A row whose SKU exists updates that product; a new SKU creates
 * one. The columns, by header name (English or Chinese, any order):
 *   sku/编码 (required), name/名称 (required for new), barcode/条码
 *   (several separated by ';' or '|'), price/售价 (yuan, "12.50"),
 *   member_price/会员价, cost/进价, vat/税率 ("13" or "13%"),
 *   unit/单位, category/分类 (name or path "饮料/茶饮", created when
 *   missing), weighed/称重 (1/0, 是/否, yes/no), plu/PLU, brand/品牌,
 *   active/启用, lower/下限, upper/上限 (stock limits in units).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-permission.h"
#include "till-product.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_PRODUCT_ADMIN_ERROR (till_product_admin_error_quark ())

typedef enum
{
  TILL_PRODUCT_ADMIN_ERROR_FAILED,
  TILL_PRODUCT_ADMIN_ERROR_INVALID,   /* a field out of range: the message names it */
  TILL_PRODUCT_ADMIN_ERROR_DUPLICATE, /* a SKU, PLU or barcode another product has */
  TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND,
  TILL_PRODUCT_ADMIN_ERROR_ROWS, /* an import with bad rows: nothing was written */
} TillProductAdminError;

GQuark till_product_admin_error_quark (void);

/* Creates a product with its barcodes (NULL-terminated, may be NULL). */
gint64 till_product_admin_create (TillStore             *store,
                                  TillJournal           *journal,
                                  TillUser              *user,
                                  const TillProductSpec *spec,
                                  const char *const     *barcodes,
                                  const TillOverride    *override,
                                  GError               **error);

/* Replaces a product's fields and its barcodes (@barcodes NULL: keeps
 * them). The journal entry names what changed, old and new. */
gboolean till_product_admin_update (TillStore             *store,
                                    TillJournal           *journal,
                                    TillUser              *user,
                                    gint64                 product_id,
                                    const TillProductSpec *spec,
                                    const char *const     *barcodes,
                                    const TillOverride    *override,
                                    GError               **error);

gboolean till_product_admin_set_active (TillStore          *store,
                                        TillJournal        *journal,
                                        TillUser           *user,
                                        gint64              product_id,
                                        gboolean            active,
                                        const TillOverride *override,
                                        GError            **error);

/* A product's barcodes, in the order added. */
GStrv till_product_admin_get_barcodes (TillStore *store, gint64 product_id, GError **error);

/* Every product (inactive ones too when @include_inactive) matching @query
 * (NULL: all), by SKU. */
GPtrArray *till_product_admin_list (
    TillStore *store, const char *query, gboolean include_inactive, guint limit, GError **error);

gint64   till_product_admin_add_category (TillStore          *store,
                                          TillJournal        *journal,
                                          TillUser           *user,
                                          gint64              parent_id,
                                          const char         *name,
                                          const TillOverride *override,
                                          GError            **error);
gboolean till_product_admin_rename_category (TillStore          *store,
                                             TillJournal        *journal,
                                             TillUser           *user,
                                             gint64              category_id,
                                             const char         *name,
                                             const TillOverride *override,
                                             GError            **error);
/* "饮料/茶饮" for a category, "" for 0. */
char *till_product_admin_get_category_path (TillStore *store, gint64 category_id, GError **error);

/* One bad row of an import. */
typedef struct
{
  guint row;    /* 1-based, counting the header as row 1 (as a spreadsheet shows it) */
  char *column; /* the header of the bad cell, NULL for the whole row */
  char *value;  /* the cell as given, NULL for the whole row */
  char *message;
} TillImportProblem;

void till_import_problem_free (TillImportProblem *problem);

typedef struct
{
  guint      created;
  guint      updated;
  guint      unchanged;
  GPtrArray *problems; /* TillImportProblem; never NULL */
} TillImportResult;

void till_import_result_free (TillImportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillImportResult, till_import_result_free)

/* Checks every row of @rows (GStrv each; rows[0] the header) and, when
 * none is bad and @dry_run is FALSE, applies them in one transaction with
 * one "product-import" journal entry. Returns the result (with its
 * problems) even when rows were bad; NULL only when the import could not be
 * tried (no SKU column, a database error). *out_applied tells whether
 * anything was written. */
TillImportResult *till_product_admin_import (TillStore          *store,
                                             TillJournal        *journal,
                                             TillUser           *user,
                                             GPtrArray          *rows,
                                             gboolean            dry_run,
                                             const TillOverride *override,
                                             gboolean           *out_applied,
                                             GError            **error);

/* The catalog as rows of text (GStrv each; rows[0] the English header in
 * the import's column names), active and inactive, by SKU: what import
 * reads back unchanged. */
GPtrArray *till_product_admin_export (TillStore *store, GError **error);

G_END_DECLS
