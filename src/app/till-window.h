/* till-window.h: the till's one window: top bar and the screens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "till-checkout-view.h"
#include "till-device-settings-view.h"
#include "till-login-view.h"
#include "till-payment-view.h"
#include "till-return-view.h"
#include "till-session.h"
#include "till-shift-view.h"
#include "till-sync-view.h"
#include "till-users-view.h"

G_BEGIN_DECLS

/* Window actions: win.login((ss): user code, PIN), win.logout, win.reprint-last
 * (the last sale's receipt again, marked as a copy), win.print-retry (send the
 * waiting print jobs now), win.devices-retry (open the failed devices again),
 * win.device-settings (the device settings screen; enabled only while a
 * manager or admin is signed in).
 * The shift acts (win.shift-open, win.cash-movement, win.x-report, …) are
 * the shift page's: see till-shift-view.h.
 * Pages: "login", "shift" (after a sign-in without the user's own shift
 * open, and for the close and the reports), "checkout", "payment",
 * "devices", and "error" when the till cannot start. */
#define TILL_TYPE_WINDOW (till_window_get_type ())
G_DECLARE_FINAL_TYPE (TillWindow, till_window, TILL, WINDOW, AdwApplicationWindow)

/* session NULL: the window only shows a fatal error (till_window_show_fatal_error). */
TillWindow *till_window_new (AdwApplication *application, TillSession *session);
void        till_window_show_fatal_error (TillWindow *self, const char *title, const char *message);
/* Runs a cashier action by its full name ("win.login", "sale.scan", "pay.cash", …)
 * wherever it lives. Returns FALSE when no screen has it or it is disabled. */
gboolean till_window_activate_action (TillWindow *self, const char *name, GVariant *parameter);
/* "login", "checkout", "payment", "devices" or "error". */
const char             *till_window_get_page (TillWindow *self);
TillSession            *till_window_get_session (TillWindow *self);
TillLoginView          *till_window_get_login_view (TillWindow *self);
TillCheckoutView       *till_window_get_checkout_view (TillWindow *self);
TillPaymentView        *till_window_get_payment_view (TillWindow *self);
const char             *till_window_get_printer_status_text (TillWindow *self);
TillDeviceSettingsView *till_window_get_device_settings_view (TillWindow *self);
TillReturnView         *till_window_get_return_view (TillWindow *self);
TillUsersView          *till_window_get_users_view (TillWindow *self);
TillShiftView          *till_window_get_shift_view (TillWindow *self);
/* The sync details page (win.sync-details shows it, page "sync"), the top
 * bar's sync indicator text (NULL when hidden: a till not enrolled with HQ),
 * and the checkout's offline-limit banner ("" when hidden). */
TillSyncView *till_window_get_sync_view (TillWindow *self);
const char   *till_window_get_sync_status_text (TillWindow *self);
const char   *till_window_get_limit_banner_text (TillWindow *self);
/* The top bar's device trouble (pole display, scanners, scale), "" when none. */
const char *till_window_get_device_status_text (TillWindow *self);
/* The home screen's stock alert ("Low stock: 3"), NULL when hidden. */
const char *till_window_get_stock_alert_text (TillWindow *self);
/* A code from a scanner (serial, camera), routed as the page shown wants it. */
void till_window_take_scan (TillWindow *self, const char *code);

G_END_DECLS
