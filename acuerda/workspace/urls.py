from django.urls import path

from acuerda.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("next/", views.take_next, name="next"),
    path("release/", views.release, name="release"),
    path("account/<int:pk>/", views.account_view, name="account"),
    path("account/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("account/<int:pk>/dial/", views.dial, name="dial"),
    path("account/<int:pk>/interaction/", views.record_interaction, name="interaction"),
    path("account/<int:pk>/promise/", views.register_promise, name="promise"),
    path("account/<int:pk>/callback/", views.schedule_callback, name="callback"),
    path("account/<int:pk>/callback/slot/", views.callback_slot, name="callback_slot"),
    path("account/<int:pk>/calculate/", views.calculate, name="calculate"),
    path("account/<int:pk>/agree/", views.agree, name="agree"),
    path("account/<int:pk>/lead/", views.mark_lead, name="lead"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="plan_cancel"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/", views.approval_status, name="approval_status"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("approvals/<int:pk>/accept/", views.approval_accept, name="approval_accept"),
    path("leads/", views.leads, name="leads"),
    path("leads/export.csv", views.leads_export, name="leads_export"),
    path("scripts/", views.scripts, name="scripts"),
    path("scripts/new/", views.script_edit, name="script_new"),
    path("scripts/<int:pk>/", views.script_edit, name="script_edit"),
]
