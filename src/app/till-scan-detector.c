/* till-scan-detector.c: tells a keyboard-wedge scanner from a person typing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <string.h>

#include "till-scan-detector.h"

struct _TillScanDetector
{
  guint    max_gap_ms;
  guint    min_length;
  char    *prefix; /* NULL: none */
  gunichar suffix;
  GString *burst; /* characters typed fast, one after another */
  guint32  last_time_ms;
  char    *code;         /* the last completed scan, until taken */
  guint    typed_length; /* characters of it let through: prefix and code */
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
  self->suffix = TILL_SCAN_SUFFIX_ENTER;
  self->burst = g_string_new (NULL);
  return self;
}

void
till_scan_detector_free (TillScanDetector *self)
{
  if (self == NULL)
    return;
  g_string_free (self->burst, TRUE);
  g_free (self->prefix);
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

/**
 * till_scan_detector_set_prefix:
 *
 * Sets the characters a scanner types before each code; the current burst is
 * forgotten.
 */
void
till_scan_detector_set_prefix (TillScanDetector *self, const char *prefix)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (prefix == NULL || g_utf8_validate (prefix, -1, NULL));

  g_free (self->prefix);
  self->prefix = prefix != NULL && *prefix != '\0' ? g_strdup (prefix) : NULL;
  g_string_truncate (self->burst, 0);
}

/**
 * till_scan_detector_set_suffix:
 *
 * Sets what ends a scan; the current burst is forgotten.
 */
void
till_scan_detector_set_suffix (TillScanDetector *self, gunichar suffix)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (suffix == TILL_SCAN_SUFFIX_ENTER || suffix == TILL_SCAN_SUFFIX_TAB ||
                    g_unichar_isprint (suffix));

  self->suffix = suffix;
  g_string_truncate (self->burst, 0);
}

/* The suffix came at time_ms: is the burst before it a scan? */
static TillScanAction
end_burst (TillScanDetector *self, guint32 time_ms)
{
  const char *code = self->burst->str;
  gboolean    is_scan;

  if (self->prefix != NULL)
    {
      /* Whatever came before the prefix was typed by hand, or is a stray key
       * the scanner's burst swallowed; it stays where it was typed. */
      const char *found = strstr (self->burst->str, self->prefix);

      code = found != NULL ? found + strlen (self->prefix) : NULL;
    }
  is_scan =
      code != NULL && g_utf8_strlen (code, -1) >= self->min_length && within_gap (self, time_ms);
  if (is_scan)
    {
      const char *typed_start = self->prefix != NULL ? code - strlen (self->prefix) : code;

      g_free (self->code);
      self->code = g_strdup (code);
      self->typed_length = (guint) g_utf8_strlen (typed_start, -1);
    }
  g_string_truncate (self->burst, 0);
  self->last_time_ms = time_ms;
  return is_scan ? TILL_SCAN_COMPLETE : TILL_SCAN_PASS;
}

TillScanAction
till_scan_detector_feed_char (TillScanDetector *self, gunichar character, guint32 time_ms)
{
  g_return_val_if_fail (self != NULL, TILL_SCAN_PASS);

  if (character == self->suffix)
    return end_burst (self, time_ms);

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
  g_return_val_if_fail (self != NULL, TILL_SCAN_PASS);

  if (self->suffix != TILL_SCAN_SUFFIX_ENTER)
    {
      till_scan_detector_feed_other (self, time_ms);
      return TILL_SCAN_PASS;
    }
  return end_burst (self, time_ms);
}

TillScanAction
till_scan_detector_feed_tab (TillScanDetector *self, guint32 time_ms)
{
  g_return_val_if_fail (self != NULL, TILL_SCAN_PASS);

  if (self->suffix != TILL_SCAN_SUFFIX_TAB)
    {
      till_scan_detector_feed_other (self, time_ms);
      return TILL_SCAN_PASS;
    }
  return end_burst (self, time_ms);
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

guint
till_scan_detector_get_typed_length (TillScanDetector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->typed_length;
}
