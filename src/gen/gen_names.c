/* gen_names — owns the synthetic names of candidates: given names by sex,
 * common second names, a few regional naming customs (Batak, Minahasa,
 * Bugis, Balinese birth-order names, Papuan and East Nusa Tenggara family
 * names) and the titles and degrees Indonesian ballots print. Made-up
 * combinations of common words; no real candidate list is reproduced. */
#include <stdio.h>
#include <string.h>

#include "gen/gen_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct wordlist {
    const char *const *w;
    size_t n;
} wordlist;
#define WORDS(a) {a, COUNT(a)}

static const char *const male_first[] = {
    "Agus",   "Ahmad",    "Andi",     "Arif",    "Bambang", "Budi",    "Dedi",
    "Dimas",  "Eko",      "Fajar",    "Hadi",    "Hendra",  "Heru",    "Imam",
    "Indra",  "Irfan",    "Joko",     "Lukman",  "Muhammad", "Nanang", "Rahmat",
    "Ridwan", "Rizal",    "Rudi",     "Slamet",  "Sugeng",  "Sutrisno", "Taufik",
    "Teguh",  "Wahyu",    "Yusuf",    "Zainal",  "Yoga",    "Rizky",   "Dwi",
    "Hasan",  "Ilham",    "Gilang",   "Bayu",    "Ferry",   "Anton",   "Benny",
    "Daniel", "Hendrik",  "Yohanes",  "Abdul",   "Asep",    "Ujang",   "Firman",
    "Herman", "Syamsul",  "Darmawan", "Kurnia",  "Adi",     "Nur",     "Faisal",
};
static const char *const female_first[] = {
    "Siti",   "Sri",     "Dewi",    "Nur",    "Rina",    "Ani",     "Yuni",
    "Putri",  "Ratna",   "Indah",   "Fitri",  "Kartika", "Maya",    "Rini",
    "Endang", "Tuti",    "Wulan",   "Ayu",    "Dian",    "Eka",     "Fatimah",
    "Hana",   "Intan",   "Lina",    "Mega",   "Novi",    "Nurul",   "Rahma",
    "Rosa",   "Sinta",   "Suci",    "Tri",    "Vivi",    "Yanti",   "Maria",
    "Agustina", "Theresia", "Lilis", "Euis",  "Neneng",  "Nia",     "Desi",
};
static const char *const male_second[] = {
    "Santoso",  "Wijaya",    "Saputra",  "Hidayat",  "Nugroho",   "Setiawan",
    "Kurniawan", "Pratama",  "Prasetyo", "Gunawan",  "Susanto",   "Hakim",
    "Rahman",   "Syahputra", "Firmansyah", "Hermawan", "Permana", "Ramadhan",
    "Kusuma",   "Utomo",     "Purnomo",  "Wibowo",   "Suryadi",   "Hartono",
    "Effendi",  "Halim",     "Sulaiman", "Ismail",   "Mahmud",    "Siswanto",
    "Sudrajat", "Maulana",   "Hamdani",  "Fauzi",    "Iskandar",  "Nasrullah",
};
static const char *const female_second[] = {
    "Sari",       "Lestari",   "Wulandari", "Rahmawati", "Puspitasari",
    "Handayani",  "Susanti",   "Anggraini", "Kurniasih", "Safitri",
    "Permatasari", "Oktaviani", "Fitriani", "Maharani",  "Nurhayati",
    "Yuliani",    "Ningsih",   "Pertiwi",   "Utami",     "Setyaningsih",
    "Marlina",    "Hasanah",   "Aisyah",    "Komalasari", "Purnamasari",
};
static const char *const batak[] = {
    "Siregar",  "Nasution", "Harahap",  "Lubis",      "Simanjuntak", "Hasibuan",
    "Pohan",    "Sitompul", "Sinaga",   "Situmorang", "Panjaitan",   "Hutapea",
    "Pardede",  "Tambunan", "Manurung", "Sembiring",  "Ginting",     "Tarigan",
    "Purba",    "Damanik",  "Saragih",  "Napitupulu",
};
static const char *const minahasa[] = {
    "Pangemanan", "Wowor",  "Rumengan", "Sondakh",    "Mandagi",  "Lumentut",
    "Kalalo",     "Walangitan", "Tambuwun", "Rondonuwu", "Kaunang", "Runtuwene",
};
static const char *const bugis[] = {
    "Amir",  "Baso",    "Hamzah",  "Rahim",  "Tahir",  "Sahabuddin",
    "Mappa", "Tenri",   "Pawelloi", "Makkulau", "Patongai", "Ramli",
};
static const char *const papua[] = {
    "Wenda",  "Kogoya",  "Wanimbo", "Tabuni",   "Murib",  "Rumbiak",
    "Mandowen", "Sawaki", "Kareth", "Karubaba", "Rumkorem", "Wonda",
    "Yikwa",  "Mote",    "Pigai",   "Douw",
};
static const char *const ntt[] = {
    "Laka", "Manafe", "Ndolu", "Fanggidae", "Lado",  "Bria",
    "Kolo", "Bere",   "Seran", "Nahak",     "Lerik", "Tallo",
};
static const char *const christian_male[] = {
    "Yohanes", "Markus", "Yakobus", "Paulus",  "Petrus", "Obet",
    "Simon",   "Yosef",  "Frans",   "Agustinus", "Matius", "Elia",
};
static const char *const christian_female[] = {
    "Maria", "Yosina", "Martha", "Ruth", "Elisabeth", "Debora",
    "Yuliana", "Sara", "Ester", "Magdalena", "Yohana", "Ribka",
};
static const char *const bali_order_male[] = {
    "I Wayan", "I Putu", "I Gede", "I Made", "I Kadek", "I Nyoman", "I Komang", "I Ketut",
};
static const char *const bali_order_female[] = {
    "Ni Wayan", "Ni Putu", "Ni Luh", "Ni Made", "Ni Kadek", "Ni Nyoman", "Ni Komang",
    "Ni Ketut",
};
static const char *const bali_given[] = {
    "Sudarma", "Suastika", "Artha",   "Wirawan", "Suardana", "Mahendra",
    "Astawa",  "Sukerta",  "Ariani",  "Widiasih", "Suartini", "Kusumawati",
    "Darmayasa", "Sumerta", "Yasa",   "Adnyana",
};
static const char *const degrees[] = {
    ", S.H.", ", S.E.", ", S.Pd.", ", S.Sos.", ", S.T.", ", S.Ag.", ", S.IP.",
    ", M.M.", ", M.Si.", ", S.H., M.H.", ", S.Kom.", ", S.E., M.M.", ", S.Pd.I.",
};

/* Regional custom: provinces (2-digit prefixes), the family names added
 * after the given name and how often, whether given names lean Christian,
 * and a noble prefix some carry (Bugis "Andi"). */
typedef struct flavour {
    const char *prov[6];
    wordlist family;
    double p_family;
    int christian;
    const char *prefix;
} flavour;

static const flavour flavours[] = {
    {{"12"}, WORDS(batak), 0.7, 0, NULL},
    {{"71"}, WORDS(minahasa), 0.7, 1, NULL},
    {{"73", "76"}, WORDS(bugis), 0.3, 0, "Andi "},
    {{"53"}, WORDS(ntt), 0.6, 1, NULL},
    {{"91", "92", "93", "94", "95", "96"}, WORDS(papua), 0.7, 1, NULL},
};

static const flavour *flavour_of(const char *prov)
{
    for (size_t i = 0; prov && i < COUNT(flavours); i++)
        for (size_t j = 0; j < COUNT(flavours[i].prov) && flavours[i].prov[j]; j++)
            if (strncmp(prov, flavours[i].prov[j], 2) == 0)
                return &flavours[i];
    return NULL;
}

static const char *pick(rng *r, const char *const *w, size_t n)
{
    return w[rng_below(r, n)];
}
#define PICK(r, a) pick(r, a, COUNT(a))

/* Append s to buf at *len, truncating at cap. */
static void put(char *buf, size_t cap, size_t *len, const char *s)
{
    int n = snprintf(buf + *len, cap - *len, "%s", s);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

/* The personal name itself, without titles. */
static void name_core(rng *r, char sex, const char *prov, char *buf, size_t cap,
                      size_t *len)
{
    int female = sex == 'P';
    if (prov && strncmp(prov, "51", 2) == 0) { /* Bali: birth-order name first */
        put(buf, cap, len, female ? PICK(r, bali_order_female) : PICK(r, bali_order_male));
        put(buf, cap, len, " ");
        put(buf, cap, len, PICK(r, bali_given));
        return;
    }
    const flavour *fl = flavour_of(prov);
    if (fl && fl->prefix && rng_uniform(r) < 0.2)
        put(buf, cap, len, fl->prefix);
    if (fl && fl->christian && rng_uniform(r) < 0.6)
        put(buf, cap, len, female ? PICK(r, christian_female) : PICK(r, christian_male));
    else
        put(buf, cap, len, female ? PICK(r, female_first) : PICK(r, male_first));
    if (rng_uniform(r) < 0.75) {
        put(buf, cap, len, " ");
        put(buf, cap, len, female ? PICK(r, female_second) : PICK(r, male_second));
    }
    if (fl && rng_uniform(r) < fl->p_family) {
        put(buf, cap, len, " ");
        put(buf, cap, len, pick(r, fl->family.w, fl->family.n));
    }
}

void gen_person_name(rng *r, char sex, const char *prov, char *buf, size_t cap)
{
    size_t len = 0;
    const flavour *fl = flavour_of(prov);
    buf[0] = '\0';
    double u = rng_uniform(r);
    if (u < 0.03)
        put(buf, cap, &len, "Dr. ");
    else if (u < 0.05 && sex == 'L')
        put(buf, cap, &len, "Ir. ");
    if ((!fl || !fl->christian) && rng_uniform(r) < 0.1)
        put(buf, cap, &len, sex == 'P' ? "Hj. " : "H. ");
    name_core(r, sex, prov, buf, cap, &len);
    if (rng_uniform(r) < 0.35)
        put(buf, cap, &len, PICK(r, degrees));
}
