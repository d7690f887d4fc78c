/* till-camera-preview.h: the camera's picture, and its state when it has none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-camera-scanner.h"

G_BEGIN_DECLS

#define TILL_TYPE_CAMERA_PREVIEW (till_camera_preview_get_type ())
G_DECLARE_FINAL_TYPE (TillCameraPreview, till_camera_preview, TILL, CAMERA_PREVIEW, GtkWidget)

/* Shows the latest frame of its scanner, or why there is none ("no camera",
 * "unplugged", with a Retry button), and re-emits the scanner's codes as
 * "code-scanned" (const char *code). The preview does not start or stop the
 * scanner, except that Retry starts it again. */
GtkWidget         *till_camera_preview_new (void);
TillCameraScanner *till_camera_preview_get_scanner (TillCameraPreview *self);
void till_camera_preview_set_scanner (TillCameraPreview *self, TillCameraScanner *scanner);

G_END_DECLS
