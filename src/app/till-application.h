/* till-application.h: the till program: options, configuration, the open store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <till-paysim.h>

#include "till-config.h"
#include "till-devices.h"
#include "till-printer-monitor.h"
#include "till-session.h"

G_BEGIN_DECLS

/* Properties (set from the command line, or by tests before activation):
 * "database" (--db), "config-file" (--config), "printer-uri" (--printer),
 * "demo" (--demo), "demo-skus", "windowed" (--windowed); read-only "devices"
 * (TillDevices, notified when the device settings are saved). */
#define TILL_TYPE_APPLICATION (till_application_get_type ())
G_DECLARE_FINAL_TYPE (TillApplication, till_application, TILL, APPLICATION, AdwApplication)

TillApplication *till_application_new (const char       *application_id,
                                       GApplicationFlags flags) G_GNUC_WARN_UNUSED_RESULT;
/* NULL until activation, and when the store could not be opened. */
TillSession *till_application_get_session (TillApplication *self);
/* Why the till could not start, or NULL. */
const char *till_application_get_startup_error (TillApplication *self);
const char *till_application_get_printer_uri (TillApplication *self);

/* Sends the print queue (receipts, copies, drawer pulses) to the configured
 * printer and drawer, off the main thread. NULL until activation, and when the
 * store could not be opened. */
TillPrinterMonitor *till_application_get_printer_monitor (TillApplication *self);

/* The devices other than the printer (till-devices.h). NULL until activation,
 * and when the store could not be opened. */
TillDevices *till_application_get_devices (TillApplication *self);

/* The configuration the till runs with; NULL until activation, and when the
 * store could not be opened. */
const TillConfig *till_application_get_config (TillApplication *self);
/* Saves the device settings of @devices to the configuration file and applies
 * them at once (till-application.c). Property "devices" is notified. */
gboolean
till_application_save_devices (TillApplication *self, const TillConfig *devices, GError **error);

/* gettext and the locale, before anything is shown: language is "zh_CN" (the
 * default), another language code, or "system" to leave the environment alone. */
void till_application_setup_i18n (const char *language);

void till_application_close_session (TillApplication *self);
/* The simulator serving the QR wallets configured as sim://, or NULL. */
TillPaySim *till_application_get_paysim (TillApplication *self);

G_END_DECLS
