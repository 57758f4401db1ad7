"""Save a [StoolModel][stool.models.StoolModel] as a file a person can read, and load it back.

A model file is TOML (or JSON, with the same keys): a header, the keys
`format = "stool.model"` and `version = 1`, then one table per part of the model
(`[customer]`, `[company]`, `[agent]`, `[thresholds]`, ...) holding that part's numbers.
Every float is written exactly (its shortest `repr`), so a loaded model equals the saved
one bit for bit, and a fitted model can be shared, reviewed in a pull request and used from
the command line.

    >>> from stool.models import StoolModel
    >>> text = model_to_toml(StoolModel(), comments=False)
    >>> print(text.splitlines()[3:5])
    ['format = "stool.model"', 'version = 1']
    >>> model_from_toml(text) == StoolModel()
    True

Reading is strict and forgiving where it is safe to be:

- every key is optional: a key left out takes the model's default, so a short file of
  overrides is a whole model;
- an unknown table or key, a value of the wrong type or one the model rejects raises
  [ModelFileError][stool.modelfile.ModelFileError] (a
  [ValidationError][stool.errors.ValidationError]) listing every problem at once, each
  naming its dotted key (`customer.wait_scale_s`) and, for a misspelt key, the key you
  probably meant;
- a missing or unknown `format` or `version`, text that is not TOML or JSON, and a file
  over [MAX_MODEL_BYTES][stool.modelfile.MAX_MODEL_BYTES] are errors too.

The file follows the model's attrs fields, so a field added to the model appears in the
files written from then on, and files written before it load with its default.

The package's files name its parts: `_format` (the header, the limits, the model's fields
as keys), `_writing` (model to text, with `_tomlvalues` and `_comments`), `_parsing` (text
to data), `_reading` (data to model, every problem at once), `_files` (paths, the format
by suffix) and `_errors` ([ModelFileError][stool.modelfile.ModelFileError]).
Every public name lives here.
"""

from __future__ import annotations

from stool.modelfile._errors import MAX_LISTED, ModelFileError
from stool.modelfile._files import load_model, save_model
from stool.modelfile._format import FORMAT, FORMAT_VERSION, MAX_MODEL_BYTES
from stool.modelfile._reading import model_from_json, model_from_toml
from stool.modelfile._writing import model_to_json, model_to_toml

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_LISTED",
    "MAX_MODEL_BYTES",
    "ModelFileError",
    "load_model",
    "model_from_json",
    "model_from_toml",
    "model_to_json",
    "model_to_toml",
    "save_model",
]
