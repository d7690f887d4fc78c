/* till-display-epson.c: the driver for a 2×20 VFD in Epson DM-D mode (DEVICES.md §4.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-display"

#include "config.h"

#include "till-display-epson.h"

#define EPSON_COLUMNS 20

/* ESC @ resets, blanks and homes; US MD1 selects overwrite mode so that a full
 * bottom row does not scroll the top one away; US C 0 hides the cursor. */
static void
epson_encode_init (const TillPoleDisplayConfig *config, GPtrArray *commands)
{
  _till_pole_display_append (_till_pole_display_command (commands), "\x1b\x40", 2);
  _till_pole_display_append (_till_pole_display_command (commands), "\x1f\x01", 2);
  _till_pole_display_append (_till_pole_display_command (commands), "\x1f\x43\x00", 3);
}

static void
epson_encode_clear (const TillPoleDisplayConfig *config, GPtrArray *commands)
{
  _till_pole_display_append (_till_pole_display_command (commands), "\x0c", 1);
}

/* DM-D mode has no "write this row" command: move the cursor to the row's
 * first column (US $ 1 row) and overwrite all 20 cells. */
static void
epson_encode_row (const TillPoleDisplayConfig *config,
                  guint                        row,
                  const char                  *text,
                  GPtrArray                   *commands)
{
  GByteArray *command = _till_pole_display_command (commands);
  char        move[4] = { 0x1f, 0x24, 0x01, (char) row };

  _till_pole_display_append (command, move, 4);
  _till_pole_display_append_text (config, text, EPSON_COLUMNS, command);
}

static void
epson_encode_cursor (const TillPoleDisplayConfig *config,
                     guint                        column,
                     guint                        row,
                     gboolean                     visible,
                     GPtrArray                   *commands)
{
  char move[4] = { 0x1f, 0x24, (char) column, (char) row };
  char show[3] = { 0x1f, 0x43, visible ? 0x01 : 0x00 };

  _till_pole_display_append (_till_pole_display_command (commands), move, 4);
  _till_pole_display_append (_till_pole_display_command (commands), show, 3);
}

static void
epson_encode_brightness (const TillPoleDisplayConfig *config, guint level, GPtrArray *commands)
{
  char bytes[3] = { 0x1f, 0x58, (char) level };

  _till_pole_display_append (_till_pole_display_command (commands), bytes, 3);
}

const TillPoleDisplayDriver _till_display_epson_driver = {
  .name = "epson",
  .columns = EPSON_COLUMNS,
  .rows = 2,
  .encode_init = epson_encode_init,
  .encode_clear = epson_encode_clear,
  .encode_row = epson_encode_row,
  .encode_number = NULL,
  .encode_cursor = epson_encode_cursor,
  .encode_brightness = epson_encode_brightness,
};
