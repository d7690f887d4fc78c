/* till-devices.h: the till's devices (bar the printer) and their state for the screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include <till-core.h>
#include <till-hw.h>

#include "till-config.h"

G_BEGIN_DECLS

/* Owns the devices named in the [devices] group of the configuration, except
 * the receipt printer and drawer (TillPrinterMonitor): the pole display, the
 * serial scanner, the camera scanner, the scale and the customer window. Every
 * one is optional, and none blocks: drivers open and talk to their devices in
 * their own threads or async calls. A device that cannot be opened or stops
 * answering is a short message in its property (NULL when fine) and is tried
 * again, by itself and on till_devices_retry().
 *
 * Properties (all read-only, notified on the main thread): "display-message",
 * "scanner-message", "camera-message", "scale-message" (strings, nullable) and
 * "message": the first of them, for the top bar.
 * Signals: "code-scanned" (const char *code): a code from the serial scanner or
 * the camera; "scale-reading": a new reading is in (till_devices_get_scale_reading). */
#define TILL_TYPE_DEVICES (till_devices_get_type ())
G_DECLARE_FINAL_TYPE (TillDevices, till_devices, TILL, DEVICES, GObject)

/* Seconds between tries of a device that failed. */
#define TILL_DEVICES_RETRY_S 3
/* How often the scale is read while the sale screen shows. */
#define TILL_DEVICES_SCALE_INTERVAL_MS 300
/* How long after the sale the pole display says thank you before the welcome. */
#define TILL_DEVICES_THANKS_MS 4000

/* Takes what it needs from @config. A device URI that cannot be used (unknown
 * protocol, bad option) is the device's message, not a failure. The camera URI
 * is v4l2:///dev/videoN, or push: for frames pushed by the program (tests). */
TillDevices *till_devices_new (const TillConfig *config) G_GNUC_WARN_UNUSED_RESULT;

const char *till_devices_get_message (TillDevices *self);
const char *till_devices_get_display_message (TillDevices *self);
const char *till_devices_get_scanner_message (TillDevices *self);
const char *till_devices_get_camera_message (TillDevices *self);
const char *till_devices_get_scale_message (TillDevices *self);
/* Opens again, now, every device that failed. */
void till_devices_retry (TillDevices *self);

/* ---- Pole display -------------------------------------------------------- */
TillPoleDisplay *till_devices_get_display (TillDevices *self);
/* What the customer sees at each moment of the sale, on the pole display and
 * the customer window (both optional). */
void till_devices_show_line (TillDevices *self, TillCartLine *line, gint64 cart_total);
void till_devices_show_total (TillDevices *self, gint64 total);
/* After a sale: the change, until the next customer. */
void till_devices_show_sale_done (TillDevices *self, gint64 total, gint64 paid, gint64 change);
/* The next customer: THANKS, then WELCOME a few seconds later. */
void till_devices_show_next_customer (TillDevices *self);
/* Nobody at the till (signed out): WELCOME. */
void till_devices_show_welcome (TillDevices *self);

/* ---- Scanners ------------------------------------------------------------ */
TillSerialScanner *till_devices_get_scanner (TillDevices *self);
/* NULL without a camera. The camera runs only while something shows its
 * preview: start and stop it with till_devices_set_camera_active(). */
TillCameraScanner *till_devices_get_camera (TillDevices *self);
void               till_devices_set_camera_active (TillDevices *self, gboolean active);

/* The keyboard-wedge scanner's settings ([devices] scanner-prefix and
 * scanner-suffix), for the window's scan detector. */
const char *till_devices_get_wedge_prefix (TillDevices *self);
gunichar    till_devices_get_wedge_suffix (TillDevices *self);

/* ---- Scale --------------------------------------------------------------- */
gboolean till_devices_has_scale (TillDevices *self);
/* Reads the scale every TILL_DEVICES_SCALE_INTERVAL_MS while @polling. */
void till_devices_set_scale_polling (TillDevices *self, gboolean polling);
/* The latest reading and its age; FALSE when there is none yet. */
gboolean till_devices_get_scale_reading (TillDevices      *self,
                                         TillScaleReading *out_reading,
                                         gint64           *out_age_us);

/* ---- Customer window ----------------------------------------------------- */
/* Shows the customer window per the configuration ("auto": on a monitor other
 * than @till_window's, when there is one; "off": never; a number: that
 * monitor) for @cart, and follows monitors coming and going. */
void till_devices_attach_window (TillDevices *self, GtkWindow *till_window, TillCart *cart);
/* NULL when none is shown. */
GtkWindow *till_devices_get_customer_window (TillDevices *self);

G_END_DECLS
