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
 * without a display.
 *
 * Scanners can be set to type a prefix before each code and to end it with
 * something other than Enter (Tab, or a character such as '#'): tell the detector
 * with till_scan_detector_set_prefix() and _set_suffix(). The timing rule holds
 * whatever the suffix: only a fast burst is a scan. */
typedef enum
{
  TILL_SCAN_PASS,     /* not part of a scan (yet): let the key through */
  TILL_SCAN_COMPLETE, /* Enter ended a scan: take the code, stop the key */
} TillScanAction;

#define TILL_SCAN_DEFAULT_MAX_GAP_MS 50
#define TILL_SCAN_DEFAULT_MIN_LENGTH 4

/* What ends a scan: Enter, Tab, or (any other value) that printable character. */
#define TILL_SCAN_SUFFIX_ENTER ((gunichar) '\r')
#define TILL_SCAN_SUFFIX_TAB ((gunichar) '\t')

typedef struct _TillScanDetector TillScanDetector;

TillScanDetector *till_scan_detector_new (guint max_gap_ms,
                                          guint min_length) G_GNUC_WARN_UNUSED_RESULT;
void              till_scan_detector_free (TillScanDetector *self);

/* Characters the scanner types before each code (NULL or "" for none). With a
 * prefix, a burst is a scan only if it holds the prefix; the code is what follows
 * it, and must have at least min_length characters. */
void till_scan_detector_set_prefix (TillScanDetector *self, const char *prefix);
/* TILL_SCAN_SUFFIX_ENTER (the default), TILL_SCAN_SUFFIX_TAB or a printable
 * character. */
void till_scan_detector_set_suffix (TillScanDetector *self, gunichar suffix);

/* A printable character typed at time_ms. TILL_SCAN_PASS: the character may be slow
 * typing, so it goes where it was typed until the suffix proves otherwise. When the
 * suffix is this character, it ends the burst like Enter does (and may give
 * TILL_SCAN_COMPLETE). */
TillScanAction
till_scan_detector_feed_char (TillScanDetector *self, gunichar character, guint32 time_ms);
/* Enter at time_ms: when Enter is the suffix, TILL_SCAN_COMPLETE if at least
 * min_length characters came before it, each (and the Enter) within max_gap_ms of
 * the one before. When it is not, Enter is just another key (feed_other). */
TillScanAction till_scan_detector_feed_enter (TillScanDetector *self, guint32 time_ms);
/* Tab at time_ms: the same, for scanners set to end codes with Tab. */
TillScanAction till_scan_detector_feed_tab (TillScanDetector *self, guint32 time_ms);
/* Any other key (arrows, Escape, Backspace…) ends a burst. Modifier keys such as
 * Shift, which scanners send for capitals, should not be fed at all. */
void till_scan_detector_feed_other (TillScanDetector *self, guint32 time_ms);
void till_scan_detector_reset (TillScanDetector *self);

/* After TILL_SCAN_COMPLETE: the scanned code (UTF-8), which the detector then
 * forgets. NULL at any other time. */
char *till_scan_detector_take_code (TillScanDetector *self) G_GNUC_WARN_UNUSED_RESULT;
/* After TILL_SCAN_COMPLETE: how many characters of the scan were let through
 * (prefix and code, not the suffix), i.e. what to delete again from the entry
 * they were typed into. */
guint till_scan_detector_get_typed_length (TillScanDetector *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillScanDetector, till_scan_detector_free)

G_END_DECLS
