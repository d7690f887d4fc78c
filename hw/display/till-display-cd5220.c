/* till-display-cd5220.c: the driver for a 2×20 VFD in CD5220 mode (DEVICES.md §4.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-display"

#include "config.h"

#include "till-display-cd5220.h"

#define CD5220_COLUMNS 20

/* ESC @ resets and blanks; the cursor is hidden because the till writes whole
 * rows and a blinking cursor after them only distracts. */
static void
cd5220_encode_init (const TillPoleDisplayConfig *config, GPtrArray *commands)
{
  _till_pole_display_append (_till_pole_display_command (commands), "\x1b\x40", 2);
  _till_pole_display_append (_till_pole_display_command (commands), "\x1b\x5f\x00", 3);
}

static void
cd5220_encode_clear (const TillPoleDisplayConfig *config, GPtrArray *commands)
{
  _till_pole_display_append (_till_pole_display_command (commands), "\x0c", 1);
}

/* ESC Q A / ESC Q B <20 characters> CR writes a whole row wherever the cursor
 * is, so the rows are rewritten without a clear and nothing flickers. */
static void
cd5220_encode_row (const TillPoleDisplayConfig *config,
                   guint                        row,
                   const char                  *text,
                   GPtrArray                   *commands)
{
  GByteArray *command = _till_pole_display_command (commands);
  char        bytes[3] = { 0x1b, 0x51, row == 1 ? 0x41 : 0x42 };

  _till_pole_display_append (command, bytes, 3);
  _till_pole_display_append_text (config, text, CD5220_COLUMNS, command);
  _till_pole_display_append (command, "\x0d", 1);
}

static void
cd5220_encode_cursor (const TillPoleDisplayConfig *config,
                      guint                        column,
                      guint                        row,
                      gboolean                     visible,
                      GPtrArray                   *commands)
{
  char move[4] = { 0x1b, 0x6c, (char) column, (char) row };
  char show[3] = { 0x1b, 0x5f, visible ? 0x01 : 0x00 };

  _till_pole_display_append (_till_pole_display_command (commands), move, 4);
  _till_pole_display_append (_till_pole_display_command (commands), show, 3);
}

static void
cd5220_encode_brightness (const TillPoleDisplayConfig *config, guint level, GPtrArray *commands)
{
  char bytes[3] = { 0x1b, 0x2a, (char) level };

  _till_pole_display_append (_till_pole_display_command (commands), bytes, 3);
}

const TillPoleDisplayDriver _till_display_cd5220_driver = {
  .name = "cd5220",
  .columns = CD5220_COLUMNS,
  .rows = 2,
  .encode_init = cd5220_encode_init,
  .encode_clear = cd5220_encode_clear,
  .encode_row = cd5220_encode_row,
  .encode_number = NULL,
  .encode_cursor = cd5220_encode_cursor,
  .encode_brightness = cd5220_encode_brightness,
};
