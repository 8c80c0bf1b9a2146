"""Standard tests for provider plugins (pytest).

A plugin's test suite subclasses :class:`ProviderTests` and names its plugin; pytest then runs
every standard test for each provider the plugin registers, and for each of their models and
operations, with ids such as ``test_...[acme/one-generate]``::

    from typing import Any

    from limner.testing import ProviderTests

    import limner_acme


    class TestAcmeStandard(ProviderTests):
        plugin = limner_acme  # the module or object with the @limner.hookimpl functions

        @property
        def settings(self) -> dict[str, Any]:  # as a user gives them, secrets included
            return {"api_key": "acme-test-key-0123456789"}

The tests need no network (any attempt to connect but to a loopback IP address, or to look a
name up, fails them, even one the plugin catches) and no pytest plugin: they make dry runs
through :class:`limner.Client` and call the provider's own methods on canned answers. They check
what core cannot check when a plugin loads:

* every model is served by its provider and resolves by its id (the models are those the
  registry serves: those a plugin adds with ``register_models`` to a provider of a plugin in
  ``builds_on`` are tested too);
* every model's request schema is valid JSON Schema;
* a minimal request translates for every model and operation, without reaching the network or
  reading the provider's environment variables, and the same way twice;
* ``n`` split over calls: each call sends its own share (``ProviderCall.n``), the request a
  request for that share alone makes, and a model that makes several images per call sends
  the count;
* two values a model lists for ``size``, ``image_config.aspect_ratio`` or
  ``image_config.image_size`` never send the same request unless a change is reported (nor
  is a listed size translated to another, ``Translation.size``, without one); nor
  do two it lists for ``quality``, ``style``, ``background``, ``output_format``,
  ``moderation`` or ``input_fidelity``, nor two seeds, negative prompts or output
  compressions on a model that declares it takes them (core warns of a setting a model
  declares it lacks; one it declares it takes, passed over, only this test sees);
* a model with ``per_image`` prices has an estimate for a minimal request (the translation's
  size, quality and edit mode match a price row);
* a dry run needs no credentials and shows none, nor does a translation (of a chat model's
  too); ``authorize`` adds headers only, and marks
  secret every header that carries a credential; credential settings are ``SecretStr``;
* a call without credentials names the environment variable to set, before anything is sent;
* ``parse_error`` returns an error for any answer (JSON of any shape, HTML, empty), of the right
  kind for its status (:data:`~limner.testing.checks.BY_STATUS`);
* every option, nested ones included, has a description;
* no method or class attribute of the provider is one slip from a :class:`~limner.Provider`
  name it leaves alone (``parse_pol`` for ``parse_poll``): core would never call it.

What they cannot see: a translation that depends on hash order (a ``set``) or the clock is
the same twice in one process; build bodies from ordered data. Nor do they read a real answer:
``parse_response`` is the plugin's own tests' to check, against recorded responses.

Give every secret 8 characters or more: shorter ones are not looked for (the secrets tests fail
rather than check nothing). Override
:meth:`ProviderTests.request_fields` when a model needs more than the default (a prompt for
generate, a prompt and a 512x512 PNG for edit, the PNG alone for variation), and
:meth:`ProviderTests.settings_for` when a model needs its own settings. A standard test that
cannot apply to a plugin may be overridden only to mark it
``@pytest.mark.xfail(reason=..., strict=True)``; ``test_no_standard_test_is_overridden`` fails
otherwise, and when anything else but :attr:`~ProviderTests.settings`,
:meth:`~ProviderTests.settings_for` and :meth:`~ProviderTests.request_fields` is overridden (a
helper, whose name starts with ``_``, or ``pytest_generate_tests``), so a skipped check is
always visible. That test itself cannot be overridden (the subclass is
refused).
"""

from __future__ import annotations

from .checks import NetworkUsed
from .standard import ProviderTests

__all__ = ["NetworkUsed", "ProviderTests"]
