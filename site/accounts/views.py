from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm
from .services import user_profile_update


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request):
    """The "my account" page: profile, email, password and what the user takes part in."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/dashboard.html", {"form": form})
