/* till-config.h: the till's configuration file (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What till.conf says, with defaults filled in:
 *
 *   [till]
 *   database=/var/lib/opentill/till.db
 *   language=zh_CN
 *   [devices]
 *   printer=sim://printer?dir=/tmp/receipts&width=80
 *   drawer=printer
 *   scale=serial:///dev/ttyUSB1?baud=9600&protocol=toledo-8217
 *   display=serial:///dev/ttyUSB2?baud=2400&protocol=led8
 *   scanner=serial:///dev/ttyUSB3?baud=9600&protocol=scanner&suffix=%0D
 *   camera=v4l2:///dev/video0
 *   customer-screen=auto
 *   scanner-prefix=
 *   scanner-suffix=enter
 *
 * Every device is a URI (see hw/); an absent key means no such device. */
typedef struct
{
  char *path;        /* the file read, or NULL when it did not exist */
  char *database;    /* never NULL */
  char *language;    /* never NULL: "zh_CN" by default, "system" leaves the environment alone */
  char *printer_uri; /* NULL = no printer */
  char *drawer_uri;  /* "printer" (kicked through the printer, the default) or a URI */
  char *scale_uri;   /* NULL = no scale: weights are keyed */
  char *display_uri; /* NULL = no pole display */
  char *scanner_uri; /* NULL = keyboard-wedge scanners only */
  char *camera_uri;  /* NULL = no camera scanning */
  /* The customer-facing window: "auto" (on a second monitor when there is one),
   * "off", or a monitor number. */
  char *customer_screen;
  /* What a keyboard-wedge scanner types around each code: scanner-prefix
   * (NULL = none) and scanner-suffix ("enter", the default; "tab"; or one
   * printable character), as till-scan-detector.h takes them. */
  char    *scanner_prefix;
  gunichar scanner_suffix;
} TillConfig;

/* $XDG_CONFIG_HOME/opentill/till.conf */
char *till_config_default_path (void) G_GNUC_WARN_UNUSED_RESULT;
/* $XDG_DATA_HOME/opentill/till.db */
char *till_config_default_database (void) G_GNUC_WARN_UNUSED_RESULT;

/* Reads path (NULL = the default path). A missing file gives the defaults; a file
 * that exists but cannot be read or parsed is an error. */
TillConfig *till_config_load (const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void        till_config_free (TillConfig *self);

/* The language named by the config file at path (NULL = default path), without
 * failing: main() needs it before anything else runs. */
char *till_config_peek_language (const char *path) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillConfig, till_config_free)

G_END_DECLS
