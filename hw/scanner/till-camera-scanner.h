/* till-camera-scanner.h: QR codes read from camera frames, off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-qr-decoder.h"

G_BEGIN_DECLS

/* ---- Frames ---------------------------------------------------------------
 * What a camera delivers and what the preview shows: plain pixels, no GTK (the
 * app turns a frame into a GdkMemoryTexture on its own main thread). Immutable
 * and reference counted, so a frame is handed between threads freely. */
typedef enum
{
  TILL_CAMERA_FRAME_GREY, /* 1 byte per pixel (Y800) */
  TILL_CAMERA_FRAME_RGB,  /* 3 bytes per pixel, R G B */
} TillCameraFrameFormat;

typedef struct _TillCameraFrame TillCameraFrame;

#define TILL_TYPE_CAMERA_FRAME (till_camera_frame_get_type ())
GType till_camera_frame_get_type (void) G_GNUC_CONST;

/* @timestamp_us is the monotonic capture time (g_get_monotonic_time() for a
 * camera); duplicate suppression measures its window with it. */
TillCameraFrame      *till_camera_frame_new (TillCameraFrameFormat format,
                                             guint                 width,
                                             guint                 height,
                                             gsize                 stride,
                                             GBytes               *pixels,
                                             gint64 timestamp_us) G_GNUC_WARN_UNUSED_RESULT;
TillCameraFrame      *till_camera_frame_ref (TillCameraFrame *frame);
void                  till_camera_frame_unref (TillCameraFrame *frame);
TillCameraFrameFormat till_camera_frame_get_format (TillCameraFrame *frame);
guint                 till_camera_frame_get_width (TillCameraFrame *frame);
guint                 till_camera_frame_get_height (TillCameraFrame *frame);
gsize                 till_camera_frame_get_stride (TillCameraFrame *frame);
GBytes               *till_camera_frame_get_pixels (TillCameraFrame *frame);
gint64                till_camera_frame_get_timestamp_us (TillCameraFrame *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillCameraFrame, till_camera_frame_unref)

/* ---- Errors ------------------------------------------------------------- */
#define TILL_CAMERA_ERROR (till_camera_error_quark ())
GQuark till_camera_error_quark (void);

typedef enum
{
  TILL_CAMERA_ERROR_NO_CAMERA, /* the device could not be opened */
  TILL_CAMERA_ERROR_UNPLUGGED, /* it stopped delivering frames */
  TILL_CAMERA_ERROR_FAILED,
} TillCameraError;

/* ---- Frame sources ------------------------------------------------------
 * Where frames come from: a V4L2 camera through zbar's video input, or frames
 * pushed by the caller (tests, a still image). The scanner decodes both with
 * the same code. A source is used by one scanner at a time. */
typedef struct _TillCameraSource TillCameraSource;

/* @device is a V4L2 device such as /dev/video0; it is opened by the scanner's
 * worker thread when the scanner starts. */
TillCameraSource *till_camera_source_new_v4l2 (const char *device) G_GNUC_WARN_UNUSED_RESULT;
/* A source that delivers what till_camera_source_push_frame() gives it. */
TillCameraSource *till_camera_source_new_push (void) G_GNUC_WARN_UNUSED_RESULT;
TillCameraSource *till_camera_source_ref (TillCameraSource *source);
void              till_camera_source_unref (TillCameraSource *source);
const char       *till_camera_source_get_name (TillCameraSource *source);
/* Push sources only, from any thread: queue a frame for the scanner. */
void till_camera_source_push_frame (TillCameraSource *source, TillCameraFrame *frame);
/* Push sources only: after the queued frames, fail as an unplugged camera
 * does (TILL_CAMERA_ERROR_UNPLUGGED with @message). */
void till_camera_source_push_unplug (TillCameraSource *source, const char *message);
/* Push sources only: make the next open fail as a missing camera does. */
void till_camera_source_set_missing (TillCameraSource *source, gboolean missing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillCameraSource, till_camera_source_unref)

/* ---- The scanner --------------------------------------------------------- */
typedef enum
{
  TILL_CAMERA_STATE_STOPPED,
  TILL_CAMERA_STATE_STARTING,
  TILL_CAMERA_STATE_RUNNING,
  TILL_CAMERA_STATE_NO_CAMERA, /* could not open: see error-message */
  TILL_CAMERA_STATE_UNPLUGGED, /* stopped delivering frames: see error-message */
} TillCameraState;

#define TILL_TYPE_CAMERA_STATE (till_camera_state_get_type ())
GType till_camera_state_get_type (void) G_GNUC_CONST;

/* The same code held in front of the camera is delivered once: a repeat within
 * this many milliseconds of the last frame that showed it is dropped. */
#define TILL_CAMERA_DEFAULT_DUPLICATE_WINDOW_MS 1500

#define TILL_TYPE_CAMERA_SCANNER (till_camera_scanner_get_type ())
G_DECLARE_FINAL_TYPE (TillCameraScanner, till_camera_scanner, TILL, CAMERA_SCANNER, GObject)

/* Signals, emitted in the thread-default main context of the thread that
 * created the scanner (create, use and drop it in that thread):
 *   "code-scanned" (const char *code): a decoded code, repeats dropped
 *   "frame" (TillCameraFrame *frame): the latest frame, for a preview; frames
 *       the main context had no time for are skipped, never queued up
 * Properties: "state" (TillCameraState), "error-message" (string, NULL unless
 * the state is NO_CAMERA or UNPLUGGED). */
TillCameraScanner *till_camera_scanner_new (TillCameraSource *source,
                                            TillQrSymbology symbologies) G_GNUC_WARN_UNUSED_RESULT;
TillCameraSource  *till_camera_scanner_get_source (TillCameraScanner *self);
void till_camera_scanner_set_duplicate_window_ms (TillCameraScanner *self, guint window_ms);
/* Starts the worker thread (which opens the camera); a no-op when running. After
 * NO_CAMERA or UNPLUGGED, start again to retry. */
void till_camera_scanner_start (TillCameraScanner *self);
/* Stops and joins the worker; no signal from before the stop is emitted after. */
void            till_camera_scanner_stop (TillCameraScanner *self);
TillCameraState till_camera_scanner_get_state (TillCameraScanner *self);
const char     *till_camera_scanner_get_error_message (TillCameraScanner *self);

G_END_DECLS
