/* till-stock-view.h: the stock page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-override-dialog.h"
#include "till-session.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped. Its acts are "stock.*" actions:
 * stock.section "s" (stock, receiving, stocktake, transfers, reorder);
 * stock.filter "s" (all, alerts, low, over, slow; a property action, so the
 * chips show which is on); stock.select "x" (a product id);
 * stock.save-limits; stock.adjust "(xs)" (± thousandths, reason);
 * stock.damage "(xs)" (thousandths written off, reason);
 * stock.receive-order "s" (an open order's uuid, "": none),
 * stock.receive-scan "s", stock.receive-clear, stock.receive;
 * stock.stocktake-begin "x" (category id, 0: all); stock.count "s" (a
 * barcode or SKU: one unit more); stock.count-set "(sx)";
 * stock.stocktake-post; stock.stocktake-cancel; stock.transfer-form
 * "(sss)" (out or in, the other store, its transfer number);
 * stock.transfer-scan "s"; stock.transfer-clear;
 * stock.transfer; stock.reorder-refresh; stock.create-orders. */
#define TILL_TYPE_STOCK_VIEW (till_stock_view_get_type ())
G_DECLARE_FINAL_TYPE (TillStockView, till_stock_view, TILL, STOCK_VIEW, GtkWidget)

void till_stock_view_set_session (TillStockView *self, TillSession *session);
/* Called each time the page is shown: reads everything again, keeping the
 * section and filter the manager was on. */
void till_stock_view_reset (TillStockView *self);
/* Reads everything again and shows the stock list filtered to the low and
 * over-stock products (the home screen's alert button). */
void till_stock_view_show_alerts (TillStockView *self);

/* A scanned code: counted, received, sent or searched, by section. */
void till_stock_view_take_scan (TillStockView *self, const char *code);

/* For tests and the window: what the page shows. */
const char *till_stock_view_get_section (TillStockView *self);
const char *till_stock_view_get_message (TillStockView *self, gboolean *out_is_error);
/* The rows of a list, each its cells joined by tabs; @list is one of
 * "stock", "moves", "receive", "transfer", "counts", "reorder", "orders". */
GStrv till_stock_view_dup_rows (TillStockView *self, const char *list) G_GNUC_WARN_UNUSED_RESULT;
/* The stocktake's variance summary line ("" when none is counting). */
const char         *till_stock_view_get_stocktake_summary (TillStockView *self);
TillOverrideDialog *till_stock_view_get_override_dialog (TillStockView *self);

G_END_DECLS
