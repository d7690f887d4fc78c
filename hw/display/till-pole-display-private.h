/* till-pole-display-private.h: what TillPoleDisplay and its protocol drivers share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-pole-display.h"

G_BEGIN_DECLS

/* The language of a text display's own words (labels, welcome, thanks). */
typedef enum
{
  TILL_POLE_DISPLAY_TEXT_EN,     /* TOTAL, CHANGE: every VFD font has them */
  TILL_POLE_DISPLAY_TEXT_PINYIN, /* ZONGJI, ZHAOLING: ASCII, for shops that want pinyin */
  TILL_POLE_DISPLAY_TEXT_ZH,     /* 总计, 找零: only for a display with a GB2312 font */
} TillPoleDisplayText;

/* The LED lamp command sets of DEVICES.md §4.1. */
typedef enum
{
  TILL_POLE_DISPLAY_LED_GENERIC, /* ESC s '1'…'4', ESC s '0' all off (Sedsy, Citaq) */
  TILL_POLE_DISPLAY_LED_PD1800A, /* as generic, and it needs a pause between commands */
  TILL_POLE_DISPLAY_LED_HISENSE, /* ESC s 01…04 (Hisense VC110, Wintec CD110) */
  TILL_POLE_DISPLAY_LED_PARTNER, /* ESC s 02…05 01 (Partner CD7110) */
  TILL_POLE_DISPLAY_LED_EJETON,  /* bare '1'…'4' (Ejeton VFD8C) */
  TILL_POLE_DISPLAY_LED_LED8N,   /* STX L d1 d2 d3 d4 (LED8N manual) */
} TillPoleDisplayLedModel;

typedef struct
{
  TillPoleDisplayProtocol protocol;
  TillPoleDisplayLedModel led_model;
  TillPoleDisplayText     text;
  guint                   gap_ms;
  guint                   brightness; /* 0: leave the display's own */
} TillPoleDisplayConfig;

/* A driver turns requests into commands, each a GByteArray appended to
 * @commands (the display pauses gap_ms between commands when asked to). An op
 * the protocol lacks is NULL: the display answers NOT_SUPPORTED. */
typedef struct
{
  const char *name;
  guint       columns;
  guint       rows;
  void (*encode_init) (const TillPoleDisplayConfig *config, GPtrArray *commands);
  void (*encode_clear) (const TillPoleDisplayConfig *config, GPtrArray *commands);
  /* @text: UTF-8, already laid out for the row; the driver encodes it and pads
   * or cuts it to exactly the row's width. */
  void (*encode_row) (const TillPoleDisplayConfig *config,
                      guint                        row,
                      const char                  *text,
                      GPtrArray                   *commands);
  gboolean (*encode_number) (const TillPoleDisplayConfig *config,
                             const char                  *digits,
                             TillPoleDisplayLamps         lamps,
                             GPtrArray                   *commands,
                             GError                     **error);
  void (*encode_cursor) (const TillPoleDisplayConfig *config,
                         guint                        column,
                         guint                        row,
                         gboolean                     visible,
                         GPtrArray                   *commands);
  void (*encode_brightness) (const TillPoleDisplayConfig *config, guint level, GPtrArray *commands);
} TillPoleDisplayDriver;

/* A new empty command at the end of @commands. */
GByteArray *_till_pole_display_command (GPtrArray *commands);
void        _till_pole_display_append (GByteArray *command, const char *bytes, gsize len);
/* @text in the display's character set, exactly @columns cells wide: ASCII for
 * en/pinyin (other characters left out), GB18030 for zh (a Han character takes
 * two cells; characters outside GB2312's two-byte range left out). */
void _till_pole_display_append_text (const TillPoleDisplayConfig *config,
                                     const char                  *text,
                                     guint                        columns,
                                     GByteArray                  *command);
/* Cells @text takes on a display with @config's character set. */
guint _till_pole_display_text_width (const TillPoleDisplayConfig *config, const char *text);

G_END_DECLS
