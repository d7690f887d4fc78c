/* till-ui-util.h: small helpers the till's screens share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <till-core.h>

G_BEGIN_DECLS

/* "￥12.50", with the full-width yuan sign that receipts and GBK fonts have. */
char *till_ui_format_money (gint64 fen) G_GNUC_WARN_UNUSED_RESULT;
/* "3" for counted goods, "0.532 kg" for weighed ones. */
char *till_ui_format_quantity (gint64 quantity, gboolean weighed) G_GNUC_WARN_UNUSED_RESULT;
/* Shows message as a toast in the nearest AdwToastOverlay above widget. */
void till_ui_toast (GtkWidget *widget, const char *message);
/* gtk_widget_action_set_enabled(), remembered: GTK 4.8 has no way to ask whether a
 * widget-class action is enabled, and activating a disabled one silently does
 * nothing. */
void     till_ui_action_set_enabled (GtkWidget *widget, const char *action_name, gboolean enabled);
gboolean till_ui_action_get_enabled (GtkWidget *widget, const char *action_name);
/* A big product button (name and price) that activates sale.add-product. */
GtkWidget *till_ui_product_button_new (TillProduct *product);

G_END_DECLS
