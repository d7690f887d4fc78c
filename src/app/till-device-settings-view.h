/* till-device-settings-view.h: the manager's screen for the till's devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "till-application.h"
#include "till-config.h"

G_BEGIN_DECLS

/* Lists the devices of the [devices] group with their URI, their live state
 * (the printer monitor's and TillDevices' messages) and a test button each,
 * and edits one device at a time in a form: the kind of connection and its
 * fields (serial port and baud rate, TCP host and port, USB VID:PID, CUPS
 * queue; protocol for the scale and display; model and paper width for the
 * printer), or the URI typed directly. Changes are kept on the screen until
 * Save, which checks them, writes the configuration file and applies it
 * (till_application_save_devices()).
 *
 * Actions (group "devices"): devices.edit(s: device key) opens the form,
 * devices.mode(s: none|printer|serial|tcp|usb|cups|uri) picks the kind of
 * connection in it, devices.form-done (checks the URI and keeps it) and
 * devices.form-cancel; devices.test(s: device key) tests the device with the
 * URI on screen, in a worker thread; devices.save; devices.close.
 * Signal: "closed": the manager is done (Back). */
#define TILL_TYPE_DEVICE_SETTINGS_VIEW (till_device_settings_view_get_type ())
G_DECLARE_FINAL_TYPE (
    TillDeviceSettingsView, till_device_settings_view, TILL, DEVICE_SETTINGS_VIEW, AdwBin)

void till_device_settings_view_set_application (TillDeviceSettingsView *self,
                                                TillApplication        *application);
/* Back to the list with the settings the till runs with; looks for serial
 * ports, USB devices and CUPS queues again (in a worker thread). */
void till_device_settings_view_reset (TillDeviceSettingsView *self);
/* "list" or "edit". */
const char *till_device_settings_view_get_page (TillDeviceSettingsView *self);
/* The URI on screen for @kind (saved or not); NULL: no such device. */
const char *till_device_settings_view_get_uri (TillDeviceSettingsView *self, TillDeviceKind kind);
/* What the last test of @kind said (NULL: none yet, or still running);
 * @out_ok (nullable) tells whether it worked. */
const char *till_device_settings_view_get_test_result (TillDeviceSettingsView *self,
                                                       TillDeviceKind          kind,
                                                       gboolean               *out_ok);
/* The line the list shows as the device's state ("Ready", the trouble). */
const char *till_device_settings_view_get_state_text (TillDeviceSettingsView *self,
                                                      TillDeviceKind          kind);
/* Why the last Save or Done was refused, or what Save did; "" when none. */
const char *till_device_settings_view_get_message (TillDeviceSettingsView *self);

G_END_DECLS
