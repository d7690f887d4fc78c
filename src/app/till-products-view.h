/* till-products-view.h: the products and prices page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-override-dialog.h"
#include "till-session.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped.
 * Actions: products.search ("s": name, SKU, pinyin or a barcode, which
 * opens its product), products.new, products.select ("x": a product id,
 * opens the editor), products.save, products.cancel, products.set-active
 * ("b"), products.new-category (shows the entry), products.add-category
 * ("s": a name or a path "饮料/茶饮", the missing parts are added),
 * products.import ("s": a .csv or .xlsx path), products.export ("s": the
 * same), products.close-import, products.choose-import and
 * products.choose-export (the file choosers), products.toggle-label ("x":
 * tick a product for labels), products.print-labels ("i": copies of each:
 * the ticked products, else the one in the editor), products.close.
 * A change the signed-in user may not make asks for a supervisor in the
 * override dialog. */
#define TILL_TYPE_PRODUCTS_VIEW (till_products_view_get_type ())
G_DECLARE_FINAL_TYPE (TillProductsView, till_products_view, TILL, PRODUCTS_VIEW, GtkWidget)

void till_products_view_set_session (TillProductsView *self, TillSession *session);
/* Called each time the page is shown: reads everything again. */
void till_products_view_reset (TillProductsView *self);
/* A barcode a scanner read while the page shows: finds its product. */
void till_products_view_take_scan (TillProductsView *self, const char *code);

/* For tests and the window. */
/* "empty", "editor" or "import" */
const char *till_products_view_get_pane (TillProductsView *self);
/* The last success or error shown, "" when none. */
const char *till_products_view_get_message (TillProductsView *self, gboolean *out_is_error);
/* The product in the editor; 0 for a new one (or none). */
gint64 till_products_view_get_editing_id (TillProductsView *self);
/* The editor's fields: "sku", "name", "barcodes", "price", "member-price",
 * "cost", "vat", "unit", "plu", "brand" (GtkEditable), "category"
 * (GtkDropDown), "new-category" (GtkEditable), "weighed", "active"
 * (GtkSwitch); and "search", "copies" (GtkSpinButton), "print" (the
 * button). NULL for another name. */
GtkWidget *till_products_view_get_field (TillProductsView *self, const char *name);
guint      till_products_view_get_n_rows (TillProductsView *self);
/* The list's row of @product_id as "SKU\tname\tprice\tmember price\t
 * active|inactive", NULL when it is not listed. */
char *till_products_view_dup_row_text (TillProductsView *self, gint64 product_id);
/* The last import's result: the summary, then one problem a line; "" when
 * none since the page opened. */
const char         *till_products_view_get_import_text (TillProductsView *self);
TillOverrideDialog *till_products_view_get_override_dialog (TillProductsView *self);
/* The print job of the last labels sent, 0 when none. */
/* Label PDFs still on their way to the label printer (labels.printer). */
guint  till_products_view_get_label_sends (TillProductsView *self);
gint64 till_products_view_get_last_label_job (TillProductsView *self);

G_END_DECLS
