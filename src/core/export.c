/* export — owns the bytes of the per-TPS CSV (header and rows); see
 * export.h. The CLI prints them and rekapd serves them, so both give the
 * same file for the same counted forms. Written through a small bounded
 * writer that keeps counting past the end of the buffer, which is what
 * gives the snprintf-like return. */
#include "core/export.h"

#include <stdio.h>
#include <string.h>

/* Bytes go to buf while there is room (one kept for the NUL); len counts
 * them all. */
typedef struct csv_out {
    char *buf;
    size_t cap, len;
} csv_out;

static void out_put(csv_out *o, const char *s, size_t n)
{
    if (o->len + 1 < o->cap) {
        size_t room = o->cap - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void out_puts(csv_out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* ",<v>" */
static void out_num(csv_out *o, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, ",%llu", (unsigned long long)v);
    out_put(o, tmp, (size_t)n);
}

static size_t out_end(csv_out *o)
{
    if (o->cap)
        o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
    return o->len;
}

static void out_text(csv_out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        out_puts(o, s);
        return;
    }
    out_put(o, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            out_put(o, "\"", 1);
        out_put(o, s, 1);
    }
    out_put(o, "\"", 1);
}

/* Selection columns: as many as the widest ballot of the contest. */
static unsigned export_width(const election *el, contest_kind k)
{
    if (contest_is_party_list(k))
        return el->nparty;
    unsigned w = 0;
    for (uint32_t d = 0; d < el->ndistrict[k]; d++)
        if (el->district[k][d].ncand > w)
            w = el->district[k][d].ncand;
    return w;
}

static void out_columns(csv_out *o, const election *el, contest_kind k)
{
    char name[ELECTION_TEXT_MAX + 32];
    unsigned w = export_width(el, k);
    for (unsigned i = 0; i < w; i++) {
        if (contest_is_party_list(k))
            snprintf(name, sizeof name, "party_%u_%s", el->party[i].no, el->party[i].abbrev);
        else
            snprintf(name, sizeof name, "%s_%u", k == CONTEST_PPWP ? "pair" : "cand", i + 1);
        out_put(o, ",", 1);
        out_text(o, name);
    }
}

/* Selection cell i of form f, or -1 where its ballot has none: by position
 * for PPWP/DPD, by party number for the party lists. */
static int export_cell(const election *el, const form *f, unsigned i)
{
    if (!contest_is_party_list(f->kind))
        return i < f->nvotes ? f->votes[i] : -1;
    for (unsigned p = 0; p < f->nparty; p++)
        if (f->party[p].no == el->party[i].no)
            return f->party[p].total;
    return -1;
}

size_t export_csv_text(const char *s, char *buf, size_t cap)
{
    csv_out o = {buf, cap, 0};
    out_text(&o, s);
    return out_end(&o);
}

size_t export_csv_columns(const election *el, contest_kind k, char *buf, size_t cap)
{
    csv_out o = {buf, cap, 0};
    out_columns(&o, el, k);
    return out_end(&o);
}

size_t export_csv_header(const election *el, contest_kind k, char *buf, size_t cap)
{
    csv_out o = {buf, cap, 0};
    out_puts(&o, "tps,contest,version,dpt,voters,valid,invalid");
    out_columns(&o, el, k);
    out_put(&o, "\n", 1);
    return out_end(&o);
}

size_t export_csv_row(const election *el, const entry *en, char *buf, size_t cap)
{
    const form *f = &en->sub.form;
    csv_out o = {buf, cap, 0};
    out_text(&o, f->tps);
    out_put(&o, ",", 1);
    out_text(&o, contest_kind_id[f->kind]);
    out_num(&o, en->sub.version);
    out_num(&o, (uint64_t)f->dpt.total + f->dptb.total + f->dpk.total);
    out_num(&o, f->b4.total);
    out_num(&o, f->valid);
    out_num(&o, f->invalid);
    unsigned w = export_width(el, f->kind);
    for (unsigned i = 0; i < w; i++) {
        int cell = export_cell(el, f, i);
        if (cell < 0)
            out_put(&o, ",", 1);
        else
            out_num(&o, (uint64_t)cell);
    }
    out_put(&o, "\n", 1);
    return out_end(&o);
}
