/* till-scan-detector.h: tells a keyboard-wedge scanner from a person typing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A scanner "types" its code much faster than a person can and ends it with Enter.
 * The detector is fed every key as it arrives, with the event time in milliseconds,
 * and says what to do with it. It knows nothing of GTK so that it can be tested
 * without a display. */
typedef enum
{
  TILL_SCAN_PASS,     /* not part of a scan (yet): let the key through */
  TILL_SCAN_COMPLETE, /* Enter ended a scan: take the code, stop the key */
} TillScanAction;

#define TILL_SCAN_DEFAULT_MAX_GAP_MS 50
#define TILL_SCAN_DEFAULT_MIN_LENGTH 4

typedef struct _TillScanDetector TillScanDetector;

TillScanDetector *till_scan_detector_new (guint max_gap_ms,
                                          guint min_length) G_GNUC_WARN_UNUSED_RESULT;
void              till_scan_detector_free (TillScanDetector *self);

/* A printable character typed at time_ms. Always TILL_SCAN_PASS: the character may
 * be slow typing, so it goes where it was typed until Enter proves otherwise. */
TillScanAction
till_scan_detector_feed_char (TillScanDetector *self, gunichar character, guint32 time_ms);
/* Enter at time_ms: TILL_SCAN_COMPLETE when at least min_length characters came
 * before it, each (and the Enter) within max_gap_ms of the one before. */
TillScanAction till_scan_detector_feed_enter (TillScanDetector *self, guint32 time_ms);
/* Any other key (arrows, Escape, Backspace…) ends a burst. Modifier keys such as
 * Shift, which scanners send for capitals, should not be fed at all. */
void till_scan_detector_feed_other (TillScanDetector *self, guint32 time_ms);
void till_scan_detector_reset (TillScanDetector *self);

/* After TILL_SCAN_COMPLETE: the scanned code (UTF-8), which the detector then
 * forgets. NULL at any other time. */
char *till_scan_detector_take_code (TillScanDetector *self) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillScanDetector, till_scan_detector_free)

G_END_DECLS
