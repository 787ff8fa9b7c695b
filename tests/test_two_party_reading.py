"""What a reading of the whole two-party agreement found, top to bottom: each phrase as a lawyer would write it
for two parties, and the phrase it replaced, which must not come back (for two parties nor for six)."""
from __future__ import annotations

import pytest
from conftest import example

from agreement_engine.api import assemble

#: (example, phrase that must stand, phrase that must not)
CASES = [
    ("twee-partijen", "aanwezig of vertegenwoordigd zijn, of buiten vergadering overeenkomstig",
     "aanwezig of vertegenwoordigd zijn, buiten vergadering overeenkomstig artikel 6.6."),
    ("twee-partijen", "door de vertegenwoordiger van de andere Partij.",
     "door de vertegenwoordiger van een andere Partij."),
    ("twee-partijen", "Bij de uittreding van een Partij eindigt de Overeenkomst op de Uittredingsdatum",
     "Omdat aan de Overeenkomst"),
    ("twee-partijen", "bijdragen van Partijen in de Gezamenlijke Kosten als bedoeld",
     "in de gezamenlijke kosten als bedoeld"),
    ("dak-en-thuis", "geldt als Uittredende Partij en de dag waarop de uitsluiting ingaat als Uittredingsdatum",
     "ingaat als uittredingsdatum"),
    ("dak-en-thuis", "door de vertegenwoordiger van een andere Deelnemende Partij.",
     "door de vertegenwoordiger van de andere Deelnemende Partij."),
]


@pytest.mark.parametrize("name, present, absent", CASES, ids=[f"{c[0]}:{c[1][:40]}" for c in CASES])
def test_the_agreement_reads_as_a_lawyer_would_write_it(name, present, absent):
    text = " ".join(assemble(example(name)).text.split())
    assert present in text
    assert absent not in text
