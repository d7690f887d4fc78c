/* till-scan-detector.c: tells a keyboard-wedge scanner from a person typing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include "till-scan-detector.h"

struct _TillScanDetector
{
  guint    max_gap_ms;
  guint    min_length;
  GString *burst; /* characters typed fast, one after another */
  guint32  last_time_ms;
  char    *code; /* the last completed scan, until taken */
};

static gboolean
within_gap (TillScanDetector *self, guint32 time_ms)
{
  /* Event times are a wrapping 32-bit millisecond clock; unsigned subtraction
   * gives the right gap across a wrap. */
  return (guint32) (time_ms - self->last_time_ms) <= self->max_gap_ms;
}

/**
 * till_scan_detector_new:
 * @max_gap_ms: the longest pause between two keys of one scan
 * @min_length: the fewest characters a scan has
 *
 * Returns: (transfer full): a new detector
 */
TillScanDetector *
till_scan_detector_new (guint max_gap_ms, guint min_length)
{
  TillScanDetector *self = g_new0 (TillScanDetector, 1);

  self->max_gap_ms = max_gap_ms;
  self->min_length = MAX (min_length, 1);
  self->burst = g_string_new (NULL);
  return self;
}

void
till_scan_detector_free (TillScanDetector *self)
{
  if (self == NULL)
    return;
  g_string_free (self->burst, TRUE);
  g_free (self->code);
  g_free (self);
}

/**
 * till_scan_detector_reset:
 *
 * Forgets the current burst.
 */
void
till_scan_detector_reset (TillScanDetector *self)
{
  g_return_if_fail (self != NULL);
  g_string_truncate (self->burst, 0);
}

TillScanAction
till_scan_detector_feed_char (TillScanDetector *self, gunichar character, guint32 time_ms)
{
  g_return_val_if_fail (self != NULL, TILL_SCAN_PASS);

  /* A slow key starts a new burst: whatever came before was typed by hand. */
  if (self->burst->len > 0 && !within_gap (self, time_ms))
    g_string_truncate (self->burst, 0);
  g_string_append_unichar (self->burst, character);
  self->last_time_ms = time_ms;
  return TILL_SCAN_PASS;
}

TillScanAction
till_scan_detector_feed_enter (TillScanDetector *self, guint32 time_ms)
{
  gboolean is_scan;

  g_return_val_if_fail (self != NULL, TILL_SCAN_PASS);

  is_scan = g_utf8_strlen (self->burst->str, -1) >= self->min_length && within_gap (self, time_ms);
  if (is_scan)
    {
      g_free (self->code);
      self->code = g_strdup (self->burst->str);
    }
  g_string_truncate (self->burst, 0);
  return is_scan ? TILL_SCAN_COMPLETE : TILL_SCAN_PASS;
}

void
till_scan_detector_feed_other (TillScanDetector *self, guint32 time_ms)
{
  g_return_if_fail (self != NULL);
  g_string_truncate (self->burst, 0);
  self->last_time_ms = time_ms;
}

char *
till_scan_detector_take_code (TillScanDetector *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_steal_pointer (&self->code);
}
