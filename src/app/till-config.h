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
 */
typedef struct
{
  char *path;        /* the file read, or NULL when it did not exist */
  char *database;    /* never NULL */
  char *language;    /* never NULL: "zh_CN" by default, "system" leaves the environment alone */
  char *printer_uri; /* NULL = no printer */
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
