"""Known-answer tests from the ICAO 9303-11 worked examples (appendices D.2-D.4 and G.1)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from nfc.access import MrzKey
from nfc.apdu import CommandApdu, ResponseApdu
from nfc.bac import derive_bac_keys, perform_bac, session_from
from nfc.crypto import adjust_parity, kdf, pad, session_keys, unpad
from nfc.errors import SecureMessagingError
from nfc.lds.security_infos import PaceInfo
from nfc.oids import PACE_ECDH_GM_AES_128
from nfc.pace import (
    CURVES,
    authentication_token,
    decode_point,
    decrypt_nonce,
    encode_point,
    map_generator,
    password_key,
    perform_pace,
    public_point,
    shared_secret,
)
from nfc.sim.bac_chip import BacChip
from nfc.sim.pace_chip import PaceChip
from nfc.sm import SecureMessaging

H = bytes.fromhex


def scripted_rng(*chunks: bytes) -> Callable[[int], bytes]:
    """An rng handing out the given byte strings in order, checking each requested size."""
    queue = list(chunks)

    def rng(n: int) -> bytes:
        chunk = queue.pop(0)
        assert len(chunk) == n, f"rng asked for {n} bytes, script has {len(chunk)}"
        return chunk

    return rng


class ScriptedCard:
    """An ApduSender replaying a transcript: each command must match byte for byte."""

    extended_length = False

    def __init__(self, exchanges: list[tuple[str, str]]) -> None:
        self.exchanges = [(H(c), H(r)) for c, r in exchanges]

    def send(self, cmd: CommandApdu) -> ResponseApdu:
        expected, answer = self.exchanges.pop(0)
        assert cmd.encode().hex().upper() == expected.hex().upper()
        return ResponseApdu.decode(answer)


# -- padding, KDF -----------------------------------------------------------------------------------

def test_padding_method_2() -> None:
    assert pad(b"") == H("8000000000000000")
    assert pad(H("0102030405060708")) == H("0102030405060708") + H("8000000000000000")
    assert pad(b"\x01", 16) == b"\x01\x80" + bytes(14)
    assert unpad(H("0180000000000000")) == b"\x01"
    with pytest.raises(SecureMessagingError):
        unpad(H("0100000000000000"))


def test_kdf_hash_choice_and_parity() -> None:
    secret = b"shared"
    assert kdf(secret, 1, "AES", 16) == hashlib.sha1(secret + H("00000001")).digest()[:16]
    assert kdf(secret, 2, "AES", 24) == hashlib.sha256(secret + H("00000002")).digest()[:24]
    assert kdf(secret, 3, "AES", 32) == hashlib.sha256(secret + H("00000003")).digest()
    des = kdf(secret, 1, "DESede", 16)
    assert all(bin(b).count("1") % 2 == 1 for b in des)
    assert adjust_parity(bytes(8)) == bytes([1]) * 8


# -- BAC D.2 / D.3 ----------------------------------------------------------------------------------

D2_KEY = MrzKey("L898902C", "690806", "940623")
RND_IC = H("4608F91988702212")
RND_IFD = H("781723860C06C226")
K_IFD = H("0B795240CB7049B01C19B33E32804F0B")
K_IC = H("0B4F80323EB3191CB04970CB4052790B")
EA_COMMAND = ("008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
              "5F1448EEA8AD90A728")
EA_RESPONSE = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000"


def test_d2_document_basic_access_keys() -> None:
    assert D2_KEY.mrz_information() == "L898902C<369080619406236"
    assert D2_KEY.key_seed() == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    k_enc, k_mac = derive_bac_keys(D2_KEY.key_seed())
    assert k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_d3_session_keys_from_key_seed() -> None:
    ks_enc, ks_mac = derive_bac_keys(H("0036D272F5C350ACAC50C3F572D23600"))
    assert ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    sm = session_from(K_IFD, K_IC, RND_IC, RND_IFD)
    assert (sm.ks_enc, sm.ks_mac, sm.ssc_bytes) == (ks_enc, ks_mac, H("887022120C06C226"))


def test_d3_terminal_transcript() -> None:
    card = ScriptedCard([("0084000008", RND_IC.hex() + "9000"), (EA_COMMAND, EA_RESPONSE)])
    sm = perform_bac(card, D2_KEY, rng=scripted_rng(RND_IFD, K_IFD))
    assert not card.exchanges
    assert sm.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc_bytes == H("887022120C06C226")


def test_d3_chip_transcript() -> None:
    chip = BacChip(D2_KEY, rng=scripted_rng(RND_IC, K_IC))
    assert chip.handle(CommandApdu.decode(H("0084000008"))) == ResponseApdu(RND_IC, 0x9000)
    assert chip.handle(CommandApdu.decode(H(EA_COMMAND))).encode() == H(EA_RESPONSE)
    assert chip.session is not None and chip.session.ssc_bytes == H("887022120C06C226")


# -- D.4 secure messaging ---------------------------------------------------------------------------

def d4_session() -> SecureMessaging:
    return SecureMessaging("DESede", H("979EC13B1CBFE9DCD01AB0FED307EAE5"),
                           H("F1CB1F1FB5ADF208806B89DC579DC1F8"), 0x887022120C06C226)


D4 = [  # (plain command, protected command, protected response, plain response data)
    ("00A4020C02011E", "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
     "990290008E08FA855A5D4C50A8ED9000", ""),
    ("00B0000004", "0CB000000D9701048E08ED6705417E96BA5500",
     "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", "60145F01"),
    ("00B0000412", "0CB000040D9701128E082EA28A70F3C7B53500",
     "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
     "04303130365F36063034303030305C026175"),
]


def test_d4_terminal_side() -> None:
    sm = d4_session()
    for plain, protected, response, data in D4:
        assert sm.protect(CommandApdu.decode(H(plain))).encode() == H(protected)
        assert sm.unprotect(ResponseApdu.decode(H(response))) == ResponseApdu(H(data), 0x9000)
    assert sm.ssc_bytes == H("887022120C06C22C")


def test_d4_chip_side() -> None:
    sm = d4_session()
    for plain, protected, response, data in D4:
        assert sm.unprotect_command(CommandApdu.decode(H(protected))) == CommandApdu.decode(H(plain))
        assert sm.protect_response(ResponseApdu(H(data), 0x9000)).encode() == H(response)


def test_aes_sm_cross_check() -> None:
    """SELECT eMRTD under the G.1 session keys (SSC 0). Not in 9303-11: an independent implementation's
    vector (name.velikodniy jcexpress), agreeing with this one."""
    sm = SecureMessaging("AES", H("F5F0E35C0D7161EE6724EE513A0D9A7F"), H("FE251C7858B356B24514B3BD5F4297D1"))
    cmd = sm.protect(CommandApdu(0x00, 0xA4, 0x04, 0x0C, H("A0000002471001")))
    assert cmd.encode() == H("0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00")
    assert sm.unprotect(ResponseApdu.decode(H("990290008E08BEA7B381C494A0799000"))) == ResponseApdu(b"", 0x9000)


# -- PACE G.1 ---------------------------------------------------------------------------------------

G1_KEY = MrzKey("T22000129", "640812", "101031")
G1_INFO = PaceInfo(PACE_ECDH_GM_AES_128, 2, 13)
BP256 = CURVES["brainpoolP256r1"]
NONCE_Z = H("95A3A016522EE98D01E76CB6B98B42C3")
NONCE_S = H("3F00C4D39D153F2B2A214A078D899B22")
SK_MAP_IFD = H("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99")
SK_MAP_IC = H("498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560")
PK_MAP_IFD = ("047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
              "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D")
PK_MAP_IC = ("04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
             "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54")
G_HAT = ("048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
         "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522")
SK_DH_IFD = H("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")
SK_DH_IC = H("107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A")
PK_DH_IFD = ("042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
             "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462")
PK_DH_IC = ("049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
            "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094")
SECRET = H("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
KS_ENC = H("F5F0E35C0D7161EE6724EE513A0D9A7F")
KS_MAC = H("FE251C7858B356B24514B3BD5F4297D1")
T_IFD = "C2B0BD78D94BA866"
T_IC = "3ABB9674BCE93C08"
G1_TRANSCRIPT = [
    ("0022C1A40F800A04007F00070202040202830101", "9000"),
    ("10860000027C0000", "7C128010" + NONCE_Z.hex() + "9000"),
    ("10860000457C438141" + PK_MAP_IFD + "00", "7C438241" + PK_MAP_IC + "9000"),
    ("10860000457C438341" + PK_DH_IFD + "00", "7C438441" + PK_DH_IC + "9000"),
    ("008600000C7C0A8508" + T_IFD + "00", "7C0A8608" + T_IC + "9000"),
]


def test_g1_password_key_and_nonce() -> None:
    assert G1_KEY.pace_password() == H("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
    k_pi = password_key(G1_KEY, "AES", 16)
    assert k_pi == H("89DED1B26624EC1E634C1989302849DD")
    assert decrypt_nonce(k_pi, NONCE_Z, "AES") == NONCE_S


def test_g1_generic_mapping_and_key_agreement() -> None:
    sk_map = int.from_bytes(SK_MAP_IFD, "big")
    assert encode_point(public_point(BP256, sk_map), BP256) == H(PK_MAP_IFD)
    assert encode_point(public_point(BP256, int.from_bytes(SK_MAP_IC, "big")), BP256) == H(PK_MAP_IC)
    g_hat = map_generator(NONCE_S, sk_map, decode_point(H(PK_MAP_IC), BP256), BP256)
    assert encode_point(g_hat, BP256) == H(G_HAT)
    sk_dh = int.from_bytes(SK_DH_IFD, "big")
    assert encode_point(public_point(BP256, sk_dh, g_hat), BP256) == H(PK_DH_IFD)
    assert shared_secret(sk_dh, decode_point(H(PK_DH_IC), BP256), BP256) == SECRET


def test_g1_session_keys_and_tokens() -> None:
    assert session_keys(SECRET, "AES", 16) == (KS_ENC, KS_MAC)
    assert authentication_token(KS_MAC, G1_INFO.protocol, H(PK_DH_IC), "AES") == H(T_IFD)
    assert authentication_token(KS_MAC, G1_INFO.protocol, H(PK_DH_IFD), "AES") == H(T_IC)


def test_g1_terminal_transcript() -> None:
    card = ScriptedCard(G1_TRANSCRIPT)
    sm = perform_pace(card, G1_KEY, G1_INFO, rng=scripted_rng(SK_MAP_IFD, SK_DH_IFD))
    assert not card.exchanges
    assert (sm.cipher, sm.ks_enc, sm.ks_mac, sm.ssc) == ("AES", KS_ENC, KS_MAC, 0)


def test_g1_chip_transcript() -> None:
    chip = PaceChip([G1_KEY], [G1_INFO], rng=scripted_rng(NONCE_S, SK_MAP_IC, SK_DH_IC))
    for command, response in G1_TRANSCRIPT:
        assert chip.handle(CommandApdu.decode(H(command))).encode() == H(response)
    assert chip.session is not None
    assert (chip.session.ks_enc, chip.session.ks_mac, chip.session.ssc) == (KS_ENC, KS_MAC, 0)
