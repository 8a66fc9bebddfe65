/* gen_parties — owns the facts of the 2024 ballot the generator uses: the
 * 18 national parties and the 6 Aceh parties with their ballot numbers and
 * full names, the three presidential pairs, and the 2024-like vote shares
 * the seeded outcome is drawn around (national DPR and PPWP results,
 * rounded; the Aceh parties' shares are of the Aceh vote). */
#include "gen/gen_internal.h"

const gen_party_def gen_party_defs[] = {
    {1, "PKB", "Partai Kebangkitan Bangsa", NULL, 10.6},
    {2, "Gerindra", "Partai Gerakan Indonesia Raya", NULL, 13.2},
    {3, "PDI Perjuangan", "Partai Demokrasi Indonesia Perjuangan", NULL, 16.7},
    {4, "Golkar", "Partai Golongan Karya", NULL, 15.3},
    {5, "NasDem", "Partai NasDem", NULL, 9.7},
    {6, "Partai Buruh", "Partai Buruh", NULL, 0.6},
    {7, "Partai Gelora", "Partai Gelombang Rakyat Indonesia", NULL, 0.8},
    {8, "PKS", "Partai Keadilan Sejahtera", NULL, 8.4},
    {9, "PKN", "Partai Kebangkitan Nusantara", NULL, 0.3},
    {10, "Hanura", "Partai Hati Nurani Rakyat", NULL, 0.7},
    {11, "Partai Garuda", "Partai Garda Republik Indonesia", NULL, 0.3},
    {12, "PAN", "Partai Amanat Nasional", NULL, 7.2},
    {13, "PBB", "Partai Bulan Bintang", NULL, 0.3},
    {14, "Demokrat", "Partai Demokrat", NULL, 7.4},
    {15, "PSI", "Partai Solidaritas Indonesia", NULL, 2.8},
    {16, "Perindo", "Partai Persatuan Indonesia", NULL, 1.3},
    {17, "PPP", "Partai Persatuan Pembangunan", NULL, 3.9},
    {18, "PNA", "Partai Nanggroe Aceh", "11", 3.0},
    {19, "Gabthat", "Partai Generasi Atjeh Beusaboh Thaat dan Taqwa", "11", 0.6},
    {20, "PDA", "Partai Darul Aceh", "11", 2.5},
    {21, "Partai Aceh", "Partai Aceh", "11", 17.0},
    {22, "PAS Aceh", "Partai Adil Sejahtera Aceh", "11", 2.0},
    {23, "SIRA", "Partai Soliditas Independen Rakyat Aceh", "11", 1.0},
    {24, "Partai Ummat", "Partai Ummat", NULL, 0.4},
};
const size_t gen_party_ndefs = sizeof gen_party_defs / sizeof gen_party_defs[0];

const char *const gen_pair_names[] = {
    "Anies Rasyid Baswedan - Muhaimin Iskandar",
    "Prabowo Subianto - Gibran Rakabuming Raka",
    "Ganjar Pranowo - Mahfud MD",
};
const double gen_pair_shares[] = {24.9, 58.6, 16.5};
const size_t gen_npairs = sizeof gen_pair_names / sizeof gen_pair_names[0];

double gen_party_share(unsigned no)
{
    for (size_t i = 0; i < gen_party_ndefs; i++)
        if (gen_party_defs[i].no == no)
            return gen_party_defs[i].share;
    return 1.0;
}
